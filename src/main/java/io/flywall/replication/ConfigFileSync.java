package io.flywall.replication;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The files of {@code sync_files}: read (with their mode) on the primary, written atomically on
 * replicas (temp file, fsync, rename). A replica writes only paths in its own {@code sync_files}
 * and never the HA config itself, whatever the primary sends.
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

  /** Files whose content or mode differ from {@code pushed} (path → fingerprint), as pushes. */
  List<ReplicationMessage.FilePush> changedSince(Map<Path, String> pushed) throws IOException {
    List<ReplicationMessage.FilePush> out = new java.util.ArrayList<>();
    for (Path file : files) {
      if (isHaConfig(file) || !Files.isRegularFile(file) || Files.size(file) > MAX_FILE) {
        continue;
      }
      byte[] content = Files.readAllBytes(file);
      int mode = mode(file);
      String fingerprint = mode + ":" + java.util.Arrays.hashCode(content) + ":" + content.length;
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
    Path target = Path.of(push.path()).toAbsolutePath().normalize();
    if (!files.contains(target) || isHaConfig(target)) {
      throw new IOException("refusing to write " + target + ": not in this node's sync_files");
    }
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".flywall-tmp");
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(java.nio.ByteBuffer.wrap(push.content()));
        channel.force(true);
      }
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
  }

  private boolean isHaConfig(Path file) {
    return haConfig.isPresent() && haConfig.get().equals(file);
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
