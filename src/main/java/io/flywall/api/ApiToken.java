package io.flywall.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token that every mutating API request must carry. Generated at first start into a
 * temporary file (mode 0600 whatever the umask), fsynced and renamed into place, so a crash leaves
 * either no token file or a whole one. The token file itself is never a symbolic link: a link
 * planted there could point the daemon at a file it should not write or read.
 */
public final class ApiToken {
  private static final Logger log = LoggerFactory.getLogger(ApiToken.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final int MIN_LENGTH = 16;

  private final String value;

  private ApiToken(String value) {
    this.value = value;
  }

  /**
   * Reads the token file, or creates it with a fresh random token if it is absent or holds no
   * usable token (an empty file left by an older version's crash). A token file readable by others
   * is narrowed to 0600.
   */
  public static ApiToken loadOrCreate(Path file, SecureRandom random) throws IOException {
    refuseLink(file);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      String existing = readText(file);
      if (existing.length() >= MIN_LENGTH) {
        narrow(file);
        return new ApiToken(existing);
      }
      log.warn(
          "token file {} holds no usable token ({} characters); writing a new one",
          file,
          existing.length());
    }
    write(file, random);
    return read(file);
  }

  /** Reads an existing token file (the client commands do this). */
  public static ApiToken read(Path file) throws IOException {
    refuseLink(file);
    String token = readText(file);
    if (token.length() < MIN_LENGTH) {
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

  private static void refuseLink(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IOException(
          "token file "
              + file
              + " is a symbolic link; flywall does not follow links for its token: remove the link"
              + " or set api.token_file to a plain file");
    }
  }

  /** Opened without following a link, so a link swapped in after the check is refused too. */
  private static String readText(Path file) throws IOException {
    try (SeekableByteChannel channel =
        Files.newByteChannel(
            file, Set.<OpenOption>of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      if (channel.size() > 4096) {
        throw new IOException("token file " + file + " is larger than 4096 bytes; not a token");
      }
      ByteBuffer bytes = ByteBuffer.allocate((int) channel.size());
      while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
        // fill
      }
      return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8).trim();
    }
  }

  private static void narrow(Path file) throws IOException {
    Set<PosixFilePermission> permissions =
        Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
    if (!OWNER_ONLY.containsAll(permissions)) {
      log.warn(
          "token file {} was readable by others ({}); narrowed to rw-------",
          file,
          PosixFilePermissions.toString(permissions));
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }

  /** Temp file (0600), fsync, rename, fsync of the directory. */
  private static void write(Path file, SecureRandom random) throws IOException {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    Path directory = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(
          directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
    }
    Path temp =
        directory.resolve("." + file.getFileName() + "." + HexFormat.of().formatHex(bytes, 0, 4));
    try {
      try (FileChannel channel =
          FileChannel.open(
              temp,
              Set.<OpenOption>of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
        ByteBuffer content = ByteBuffer.wrap((token + "\n").getBytes(StandardCharsets.UTF_8));
        while (content.hasRemaining()) {
          channel.write(content);
        }
        channel.force(true);
      }
      // The umask may have taken bits away from 0600; it cannot have added any.
      Files.setPosixFilePermissions(temp, OWNER_ONLY);
      try {
        // A hard link is created only if the name is free: a token another process wrote first
        // is kept; an unusable one is replaced by the rename below.
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
          Files.move(
              temp,
              file,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.createLink(file, temp);
        }
      } catch (FileAlreadyExistsException raced) {
        // Another process created it first; use theirs.
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
