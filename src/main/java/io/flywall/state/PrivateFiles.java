package io.flywall.state;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state directory (0700) and its files (0600), whatever the umask: they hold every replicated
 * value, the history and the API token. Created with those modes (the umask can only take bits
 * away) and narrowed when found wider, so an upgrade from a version that used the umask is fixed at
 * its first start.
 */
public final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
  public static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final int STICKY = 01000;

  private PrivateFiles() {}

  /**
   * Creates {@code dir} (parents with the usual modes) or narrows it to 0700. A shared directory
   * such as /tmp (sticky bit) is refused rather than narrowed.
   */
  public static void directory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
      } catch (FileAlreadyExistsException raced) {
        // Created meanwhile; narrowed below like any existing one.
      }
    }
    int mode = (Integer) Files.getAttribute(dir, "unix:mode");
    if ((mode & STICKY) != 0) {
      throw new IOException(
          dir
              + " is a shared directory (sticky bit, like /tmp); give state_dir a directory of its"
              + " own, such as /var/lib/flywall");
    }
    narrow(dir, DIRECTORY);
  }

  /** Creates an empty {@code file} with mode 0600, or narrows an existing one to 0600. */
  public static void file(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    } catch (FileAlreadyExistsException existing) {
      // Narrowed below.
    }
    narrow(file, FILE);
  }

  /** Narrows {@code file} to 0600 if it exists. */
  public static void narrowIfPresent(Path file) throws IOException {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      narrow(file, FILE);
    }
  }

  private static void narrow(Path path, Set<PosixFilePermission> allowed) throws IOException {
    Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
    if (current.equals(allowed)) {
      return;
    }
    if (!allowed.containsAll(current)) {
      log.warn(
          "{} was {}; narrowed to {} (it holds the cluster's state)",
          path,
          PosixFilePermissions.toString(current),
          PosixFilePermissions.toString(allowed));
    }
    Files.setPosixFilePermissions(path, allowed);
  }
}
