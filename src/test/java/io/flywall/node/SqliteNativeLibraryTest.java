package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteNativeLibraryTest {
  @TempDir Path dir;

  @Test
  void theLibraryIsUnpackedOnceIntoTheStateDirectoryAndSqliteIsPointedThere() throws Exception {
    String path = System.getProperty(SqliteNativeLibrary.PATH_PROPERTY);
    String name = System.getProperty(SqliteNativeLibrary.NAME_PROPERTY);
    try {
      System.clearProperty(SqliteNativeLibrary.PATH_PROPERTY);
      Optional<Path> library = SqliteNativeLibrary.keepIn(dir);
      assertThat(library).isPresent();
      assertThat(library.get()).startsWith(dir.resolve("sqlite"));
      assertThat(Files.size(library.get())).isPositive();
      assertThat(System.getProperty(SqliteNativeLibrary.PATH_PROPERTY))
          .isEqualTo(library.get().getParent().toString());
      assertThat(Files.list(library.get().getParent())).containsExactly(library.get());
      long written = Files.getLastModifiedTime(library.get()).toMillis();
      Files.setLastModifiedTime(library.get(), java.nio.file.attribute.FileTime.fromMillis(0));

      System.clearProperty(SqliteNativeLibrary.PATH_PROPERTY);
      // The next start finds it there and does not write it again.
      assertThat(SqliteNativeLibrary.keepIn(dir)).isEqualTo(library);
      assertThat(Files.getLastModifiedTime(library.get()).toMillis()).isZero();
      assertThat(written).isPositive();
    } finally {
      restore(SqliteNativeLibrary.PATH_PROPERTY, path);
      restore(SqliteNativeLibrary.NAME_PROPERTY, name);
    }
  }

  @Test
  void aPathTheOperatorChoseIsLeftAlone() {
    String path = System.getProperty(SqliteNativeLibrary.PATH_PROPERTY);
    try {
      System.setProperty(SqliteNativeLibrary.PATH_PROPERTY, "/opt/sqlite");
      assertThat(SqliteNativeLibrary.keepIn(dir)).isEmpty();
      assertThat(dir.resolve("sqlite")).doesNotExist();
    } finally {
      restore(SqliteNativeLibrary.PATH_PROPERTY, path);
    }
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }
}
