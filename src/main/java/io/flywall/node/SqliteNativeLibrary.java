package io.flywall.node;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * sqlite-jdbc unpacks its native library into the temp directory at every start, after listing that
 * directory to clean up older copies, and reads it back to compare: over half a second of a busy
 * start before the database opens, and so before the first heartbeat (DESIGN 10.2). The library is
 * unpacked once into the state directory instead (one folder per sqlite-jdbc version) and loaded
 * from there; like JNA's, it must be somewhere writable, and the unit's temp is not for keeps.
 */
final class SqliteNativeLibrary {
  private static final Logger log = LoggerFactory.getLogger(SqliteNativeLibrary.class);
  static final String PATH_PROPERTY = "org.sqlite.lib.path";
  static final String NAME_PROPERTY = "org.sqlite.lib.name";

  private SqliteNativeLibrary() {}

  /**
   * Points sqlite-jdbc at its library under {@code stateDir}, unpacking it there first if needed;
   * returns the library's path, or empty when sqlite-jdbc is left to its own way (a path chosen
   * with -Dorg.sqlite.lib.path, no library for this platform, or one that cannot be written).
   */
  static Optional<Path> keepIn(Path stateDir) {
    if (System.getProperty(PATH_PROPERTY) != null) {
      return Optional.empty();
    }
    String name = LibraryLoaderUtil.getNativeLibName();
    String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
    Path dir = stateDir.resolve("sqlite").resolve(SQLiteJDBCLoader.getVersion());
    Path library = dir.resolve(name);
    try {
      if (!Files.isRegularFile(library) && !unpack(resource, dir, library)) {
        return Optional.empty();
      }
    } catch (IOException e) {
      log.warn(
          "cannot keep the SQLite library in {} ({}); it is unpacked into the temp directory",
          dir,
          e.getMessage());
      return Optional.empty();
    }
    System.setProperty(PATH_PROPERTY, dir.toString());
    System.setProperty(NAME_PROPERTY, name);
    return Optional.of(library);
  }

  /** Written beside and then renamed, so a crash never leaves a half library to be loaded. */
  private static boolean unpack(String resource, Path dir, Path library) throws IOException {
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        return false;
      }
      // Private like the state directory itself (which this may create).
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path partial = Files.createTempFile(dir, library.getFileName().toString(), ".partial");
      try {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(partial);
      }
    }
    return true;
  }
}
