package io.flywall.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Argon2id output of {@code secret_key}, kept in {@code state_dir/cluster_keys} so that a
 * restart skips the run (0.6 s on a quiet machine, seconds under load) that the first heartbeat
 * waits for (DESIGN 10.2). The file holds what the keys are derived from, so it is exactly as
 * secret as the keys: mode 0600, owned by this process's user, in a directory nobody else may
 * enter; anything else and it is not trusted. Beside the output it keeps a check that proves the
 * output belongs to the current secret and parameters: HMAC-SHA256 keyed with the output itself
 * over the parameters and the secret. Computing it needs the output, so it tells nothing to anyone
 * who does not already hold every key; no plain hash of the secret is ever written
 * (docs/first-heartbeat.md, "The key cache"). Any mismatch derives anew and rewrites the file.
 */
public final class KeyCache {
  private static final Logger log = LoggerFactory.getLogger(KeyCache.class);

  public static final String FILE_NAME = "cluster_keys";
  private static final String HEADER = "flywall cluster keys v1";
  private static final String CHECK_LABEL = "flywall cluster keys check v1\n";
  private static final int STRETCHED_BYTES = SecretStretch.OUTPUT_BYTES;
  private static final int CHECK_BYTES = 32;
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY_MODE =
      PosixFilePermissions.fromString("rwx------");
  private static final int GROUP_OR_OTHERS = 0077;

  /** The memory-hard step; injected so a test can tell whether it ran. */
  public interface Stretch {
    byte[] apply(byte[] secret);
  }

  /** Where the keys came from; anything but {@link #CACHE} means Argon2id ran. */
  public enum Source {
    CACHE("read from the cache"),
    NO_CACHE("no cached keys yet"),
    SECRET_CHANGED("the cached keys are of another secret_key"),
    PARAMETERS_CHANGED("the cached keys were derived with other Argon2id parameters"),
    CORRUPT("the cache file is corrupt or truncated"),
    NOT_PRIVATE("the cache file or its directory is not private to this user"),
    UNREADABLE("the cache file cannot be read");

    private final String meaning;

    Source(String meaning) {
      this.meaning = meaning;
    }

    public String meaning() {
      return meaning;
    }
  }

  /**
   * The keys and how they were found.
   *
   * @param detail why the cache was not used (empty when it was), for the log
   * @param written whether the cache file was (re)written with these keys
   */
  public record Outcome(ClusterKeys keys, Source source, String detail, boolean written) {}

  private final Path stateDir;
  private final Path file;
  private final Stretch stretch;
  private final String parameters;
  private final int owner;

  /**
   * @param owner the uid that must own the file and its directory (this process's)
   */
  KeyCache(Path stateDir, Stretch stretch, String parameters, int owner) {
    this.stateDir = stateDir;
    this.file = stateDir.resolve(FILE_NAME);
    this.stretch = stretch;
    this.parameters = parameters;
    this.owner = owner;
  }

  /**
   * The cache in {@code stateDir} with the real Argon2id; owned by the user running this process,
   * or by nobody (never trusted) when that cannot be told.
   */
  public static KeyCache in(Path stateDir) {
    return in(stateDir, SecretStretch::stretch);
  }

  /** As {@link #in(Path)} with another stretch (tests count its calls). */
  public static KeyCache in(Path stateDir, Stretch stretch) {
    return new KeyCache(stateDir, stretch, SecretStretch.PARAMETERS, processUid());
  }

  public Path file() {
    return file;
  }

  /**
   * The keys of {@code secret}: from the cache when it proves to be this secret's under the current
   * parameters, else derived (Argon2id) and written to the cache for the next start. A cache that
   * cannot be written costs only the next start's time: it is logged, never fatal.
   */
  public Outcome keysFor(byte[] secret) {
    return keysFor(secret, () -> true);
  }

  /**
   * As {@link #keysFor(byte[])}, but derived keys are written only if {@code mayWrite} says so once
   * they are (a daemon asks whether it got the state directory's lock: one refused it must not
   * write over the running daemon's cache).
   */
  public Outcome keysFor(byte[] secret, java.util.function.BooleanSupplier mayWrite) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("the cluster secret must not be empty");
    }
    Miss miss;
    try {
      Optional<byte[]> cached = read(secret);
      if (cached.isPresent()) {
        return new Outcome(ClusterKeys.fromStretched(cached.get()), Source.CACHE, "", false);
      }
      miss = new Miss(Source.NO_CACHE, file.toString());
    } catch (Miss refused) {
      miss = refused;
    }
    byte[] stretched = stretch.apply(secret);
    boolean written = mayWrite.getAsBoolean() && write(stretched, secret);
    return new Outcome(ClusterKeys.fromStretched(stretched), miss.source, miss.detail, written);
  }

  public Outcome keysFor(String secret) {
    return keysFor(secret.getBytes(StandardCharsets.UTF_8));
  }

  public Outcome keysFor(String secret, java.util.function.BooleanSupplier mayWrite) {
    return keysFor(secret.getBytes(StandardCharsets.UTF_8), mayWrite);
  }

  /** The cached output if the file proves it is {@code secret}'s; empty when there is no file. */
  private Optional<byte[]> read(byte[] secret) throws Miss {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    privateOrRefuse();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new Miss(Source.CORRUPT, file + " holds bytes that are not ASCII");
    } catch (IOException e) {
      throw new Miss(Source.UNREADABLE, file + ": " + e.getMessage());
    }
    // Written whole, final newline included: anything shorter was cut.
    List<String> lines = List.of(text.split("\n", -1));
    if (lines.size() != 5 || !lines.get(0).equals(HEADER) || !lines.get(4).isEmpty()) {
      throw new Miss(Source.CORRUPT, file + " is not a " + HEADER + " file of 4 lines");
    }
    byte[] stretched = hexField(lines.get(2), "stretched=", STRETCHED_BYTES);
    byte[] check = hexField(lines.get(3), "check=", CHECK_BYTES);
    if (!lines.get(1).equals(parameters)) {
      throw new Miss(
          Source.PARAMETERS_CHANGED, "cached: '" + lines.get(1) + "', now: '" + parameters + "'");
    }
    if (!MessageDigest.isEqual(check, check(stretched, secret))) {
      Arrays.fill(stretched, (byte) 0);
      throw new Miss(
          Source.SECRET_CHANGED, "secret_key was changed since " + file + " was written");
    }
    return Optional.of(stretched);
  }

  private byte[] hexField(String line, String name, int bytes) throws Miss {
    if (!line.startsWith(name) || line.length() != name.length() + 2 * bytes) {
      throw new Miss(Source.CORRUPT, file + ": no " + name + " line of " + bytes + " bytes");
    }
    try {
      return HexFormat.of().parseHex(line, name.length(), line.length());
    } catch (IllegalArgumentException e) {
      throw new Miss(Source.CORRUPT, file + ": " + name + " is not hex");
    }
  }

  /** Refuses a file anyone but its owner could have read or written, or one not ours. */
  private void privateOrRefuse() throws Miss {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new Miss(Source.NOT_PRIVATE, file + " is not a regular file");
      }
      int fileOwner = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int fileMode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      if (fileOwner != owner || (fileMode & 0777) != 0600) {
        throw new Miss(
            Source.NOT_PRIVATE,
            String.format(
                "%s is owned by uid %d with mode %04o; only uid %d with 0600 is trusted",
                file, fileOwner, fileMode & 07777, owner));
      }
      notSharedDirectory();
    } catch (IOException e) {
      throw new Miss(Source.UNREADABLE, file + ": " + e.getMessage());
    }
  }

  private void notSharedDirectory() throws IOException, Miss {
    int directoryOwner = (Integer) Files.getAttribute(stateDir, "unix:uid");
    int directoryMode = (Integer) Files.getAttribute(stateDir, "unix:mode");
    if (directoryOwner != owner || (directoryMode & GROUP_OR_OTHERS) != 0) {
      throw new Miss(
          Source.NOT_PRIVATE,
          String.format(
              "%s is owned by uid %d with mode %04o; only uid %d without group or other access is"
                  + " trusted",
              stateDir, directoryOwner, directoryMode & 07777, owner));
    }
  }

  private byte[] check(byte[] stretched, byte[] secret) {
    var mac = KeyDerivation.hmac(stretched);
    mac.update(CHECK_LABEL.getBytes(StandardCharsets.US_ASCII));
    mac.update((parameters + "\n").getBytes(StandardCharsets.US_ASCII));
    return mac.doFinal(secret);
  }

  /**
   * Temp file (0600 from creation), fsync, atomic rename, fsync of the directory: a crash leaves
   * the old file or the new one, never half of one. Not written into a directory others may enter.
   */
  private boolean write(byte[] stretched, byte[] secret) {
    Path temp = null;
    try {
      if (!Files.isDirectory(stateDir)) {
        Path parent = stateDir.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try {
          Files.createDirectory(stateDir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        } catch (FileAlreadyExistsException raced) {
          // Created meanwhile by the state directory's lock; checked below like any other.
        }
      }
      notSharedDirectory();
      String text =
          HEADER
              + "\n"
              + parameters
              + "\nstretched="
              + HexFormat.of().formatHex(stretched)
              + "\ncheck="
              + HexFormat.of().formatHex(check(stretched, secret))
              + "\n";
      temp =
          Files.createTempFile(
              stateDir, FILE_NAME + ".", ".tmp", PosixFilePermissions.asFileAttribute(FILE_MODE));
      try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
        var bytes = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      try (var directory = java.nio.channels.FileChannel.open(stateDir, StandardOpenOption.READ)) {
        directory.force(true);
      }
      return true;
    } catch (IOException | Miss e) {
      log.warn(
          "cannot cache the cluster keys in {} ({}): the next start derives them again",
          file,
          e.getMessage());
      return false;
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // A leftover temp file is only clutter; it is never read.
        }
      }
    }
  }

  /** The effective uid: the owner of {@code /proc/self}; -1 (trust no file) when unknown. */
  private static int processUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  /** Why the cache was not used; an exception only to leave the reading steps early. */
  private static final class Miss extends Exception {
    private final Source source;
    private final String detail;

    Miss(Source source, String detail) {
      super(source.meaning() + ": " + detail, null, false, false);
      this.source = source;
      this.detail = detail;
    }
  }
}
