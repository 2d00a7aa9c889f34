package io.flywall.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One daemon per state directory: an exclusive lock on {@code state_dir/lock}, held for the life of
 * the process, with the holder's pid written in it. Two daemons on one directory would share the
 * epoch and the boot id and both become primary; the kernel drops the lock when the holder dies, so
 * a crash never leaves a stale lock behind.
 */
public final class StateDirLock implements AutoCloseable {
  public static final String FILE_NAME = "lock";

  /**
   * Directories locked by this process. POSIX record locks belong to the process, and closing any
   * descriptor of the file drops them: a second attempt from the same JVM must be refused before it
   * opens the file at all.
   */
  private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private StateDirLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** Thrown when another daemon holds the directory; the message names its pid. */
  public static final class HeldException extends Exception {
    private final OptionalLong pid;

    HeldException(Path dir, OptionalLong pid) {
      super(
          "already running (pid "
              + (pid.isPresent() ? Long.toString(pid.getAsLong()) : "unknown")
              + ") with state_dir "
              + dir
              + "; stop that daemon first, or give this one a state_dir of its own");
      this.pid = pid;
    }

    public OptionalLong pid() {
      return pid;
    }
  }

  /** Takes the lock of {@code stateDir} (created 0700 if missing) for {@code pid}. */
  public static StateDirLock acquire(Path stateDir, long pid)
      throws HeldException, StateStoreException {
    Path file = stateDir.resolve(FILE_NAME);
    Path key;
    try {
      PrivateFiles.directory(stateDir);
      key = stateDir.toRealPath();
    } catch (IOException e) {
      throw new StateStoreException(
          "cannot use state_dir " + stateDir + ": " + e.getMessage() + " (run as root?)", e);
    }
    if (!HELD_HERE.add(key)) {
      throw new HeldException(stateDir, OptionalLong.of(ProcessHandle.current().pid()));
    }
    FileChannel channel = null;
    try {
      PrivateFiles.file(file);
      channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        HELD_HERE.remove(key);
        throw new HeldException(stateDir, readPid(file));
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      channel.force(true);
      return new StateDirLock(key, channel, lock);
    } catch (IOException e) {
      if (channel != null) {
        closeQuietly(channel);
      }
      HELD_HERE.remove(key);
      throw new StateStoreException("cannot lock " + file + ": " + e.getMessage(), e);
    }
  }

  private static OptionalLong readPid(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Already failing; the lock goes with the channel.
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel releases it too.
    }
    closeQuietly(channel);
    HELD_HERE.remove(key);
  }
}
