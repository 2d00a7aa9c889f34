package io.flywall.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/** The bearer token that every mutating API request must carry; generated 0600 at first start. */
public final class ApiToken {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final String value;

  private ApiToken(String value) {
    this.value = value;
  }

  /** Reads the token file, or creates it with a fresh random token (mode 0600) if absent. */
  public static ApiToken loadOrCreate(Path file, SecureRandom random) throws IOException {
    if (!Files.exists(file)) {
      byte[] bytes = new byte[32];
      random.nextBytes(bytes);
      String token = HexFormat.of().formatHex(bytes);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(
            file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (FileAlreadyExistsException raced) {
        // Another process created it first; use theirs.
      }
    }
    return read(file);
  }

  /** Reads an existing token file (the client commands do this). */
  public static ApiToken read(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (token.length() < 16) {
      throw new IOException(
          "token file "
              + file
              + " holds no usable token; delete it and restart the daemon to make a new one");
    }
    return new ApiToken(token);
  }

  public String value() {
    return value;
  }

  /** Constant-time comparison, so response timing does not leak the token. */
  public boolean matches(String presented) {
    return presented != null
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "ApiToken(<redacted>)";
  }
}
