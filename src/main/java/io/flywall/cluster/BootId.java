package io.flywall.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The boot id: a number that grows every time the daemon starts, so peers can tell a restarted node
 * (sequence back at 1) from a replay. Kept in {@code state_dir/boot_id}.
 */
public final class BootId {

  public static final String FILE_NAME = "boot_id";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Logger LOG = LoggerFactory.getLogger(BootId.class);

  private BootId() {}

  /**
   * Reads the previous boot id, returns {@code max(previous + 1, clock millis)} and persists it
   * before returning. Taking the clock into account keeps it growing if the file is lost (as long
   * as the clock is sane); the previous value keeps it growing if the clock steps back.
   */
  public static long next(Path stateDir, Clock clock) throws IOException {
    Path file = stateDir.resolve(FILE_NAME);
    OptionalLong previous = read(file);
    long next = Math.max(clock.millis(), previous.isPresent() ? previous.getAsLong() + 1 : 0);
    write(stateDir, file, next);
    return next;
  }

  private static OptionalLong read(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    }
    try {
      long value = Long.parseLong(text);
      if (value >= 0) {
        return OptionalLong.of(value);
      }
    } catch (NumberFormatException e) {
      // fall through: treated like a lost file
    }
    LOG.warn("{} does not hold a boot id ({} chars); starting from the clock", file, text.length());
    return OptionalLong.empty();
  }

  /**
   * Temp file, fsync, atomic rename, fsync of the directory: a crash leaves the old or the new id.
   * Mode 0600 whatever the umask, like every file in the state directory.
   */
  private static void write(Path stateDir, Path file, long value) throws IOException {
    if (!Files.isDirectory(stateDir)) {
      Files.createDirectories(stateDir.toAbsolutePath().getParent());
      Files.createDirectory(stateDir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
    }
    Path temp = stateDir.resolve(FILE_NAME + ".tmp");
    Files.deleteIfExists(temp);
    try (FileChannel channel =
        FileChannel.open(
            temp,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
      ByteBuffer bytes = ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    Files.setPosixFilePermissions(temp, OWNER_ONLY);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel directory = FileChannel.open(stateDir, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }
}
