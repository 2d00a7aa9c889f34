package io.flywall.replication;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The files of {@code sync_files}: read (with their mode) on the primary, written atomically on
 * replicas (temp file, fsync, rename, fsync of the directory). A replica writes only paths in its
 * own {@code sync_files} and never the HA config itself, whatever the primary sends. "Itself" is
 * judged by the file, not the spelling of its path: a symbolic or hard link to the HA config is the
 * HA config. A file that is a symbolic link is written through it, and an existing file keeps its
 * owner and group. Every refusal is an {@link IOException} saying why.
 */
public final class ConfigFileSync {
  private static final long MAX_FILE = 8L * 1024 * 1024;
  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ,
  };

  private final List<Path> files;
  private final Optional<Path> haConfig;

  public ConfigFileSync(List<Path> files, Optional<Path> haConfig) {
    this.files = files.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    this.haConfig = haConfig.map(p -> p.toAbsolutePath().normalize());
  }

  /**
   * Files whose content or mode differ from {@code pushed} (path → fingerprint: mode and SHA-256),
   * as pushes.
   */
  List<ReplicationMessage.FilePush> changedSince(Map<Path, String> pushed) throws IOException {
    List<ReplicationMessage.FilePush> out = new ArrayList<>();
    for (Path file : files) {
      if (!Files.isRegularFile(file) || isHaConfig(file) || Files.size(file) > MAX_FILE) {
        continue;
      }
      byte[] content = Files.readAllBytes(file);
      int mode = mode(file);
      String fingerprint = mode + ":" + sha256(content);
      if (!fingerprint.equals(pushed.get(file))) {
        pushed.put(file, fingerprint);
        out.add(new ReplicationMessage.FilePush(file.toString(), mode, content));
      }
    }
    return out;
  }

  static Map<Path, String> nothingPushed() {
    return new HashMap<>();
  }

  /** Writes a pushed file atomically; refuses paths that are not in this node's sync_files. */
  void write(ReplicationMessage.FilePush push) throws IOException {
    Path named;
    try {
      named = Path.of(push.path()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new IOException(
          "refusing pushed path " + printable(push.path()) + ": " + e.getReason());
    }
    if (!files.contains(named)) {
      throw new IOException("refusing to write " + named + ": not in this node's sync_files");
    }
    try {
      Path target = resolved(named);
      if (isHaConfig(named) || isHaConfig(target)) {
        throw new IOException(
            "refusing to write "
                + named
                + ": it is this node's HA config"
                + (target.equals(named) ? "" : " (through " + target + ")"));
      }
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
          && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("refusing to write " + named + ": it is not a regular file");
      }
      replace(target, push);
    } catch (RuntimeException e) {
      // A pushed file is never worth the follower thread: whatever went wrong is a refusal.
      throw new IOException("cannot write " + named + ": " + e, e);
    }
  }

  private static void replace(Path target, ReplicationMessage.FilePush push) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Optional<PosixFileAttributes> existing = attributes(target);
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".flywall-tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer content = ByteBuffer.wrap(push.content());
        while (content.hasRemaining()) {
          channel.write(content);
        }
        channel.force(true);
      }
      if (existing.isPresent()) {
        PosixFileAttributeView view =
            Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        view.setOwner(existing.get().owner());
        view.setGroup(existing.get().group());
      }
      // After chown, which may clear set-id bits; the pushed mode carries none anyway.
      Files.setPosixFilePermissions(temp, permissions(push.mode()));
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    // The rename is durable only once the directory entry is.
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }

  /** Where writing {@code file} lands: through a symbolic link, into its real directory. */
  private static Path resolved(Path file) throws IOException {
    if (Files.exists(file)) {
      return file.toRealPath();
    }
    Path parent = file.getParent();
    return Files.isDirectory(parent) ? parent.toRealPath().resolve(file.getFileName()) : file;
  }

  private static Optional<PosixFileAttributes> attributes(Path file) throws IOException {
    try {
      return Optional.of(
          Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code file} is the HA config: the same path, or the same file (dev, inode). */
  private boolean isHaConfig(Path file) throws IOException {
    if (haConfig.isEmpty()) {
      return false;
    }
    Path ha = haConfig.get();
    if (ha.equals(file)) {
      return true;
    }
    if (!Files.exists(ha) || !Files.exists(file)) {
      return Files.exists(ha) && resolved(file).equals(ha.toRealPath());
    }
    return Files.isSameFile(ha, file);
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  private static String printable(String path) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < path.length() && out.length() < 200; i++) {
      char c = path.charAt(i);
      out.append(c >= 0x20 && c != 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
    }
    return out.append('"').toString();
  }

  static int mode(Path file) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    int mode = 0;
    for (int bit = 0; bit < BITS.length; bit++) {
      if (permissions.contains(BITS[bit])) {
        mode |= 1 << bit;
      }
    }
    return mode;
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BITS.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(BITS[bit]);
      }
    }
    return set;
  }
}
