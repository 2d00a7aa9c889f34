package io.flywall.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN 10.4: state files 0600, state directory 0700, whatever the umask. */
class PrivateFilesTest {
  @TempDir Path dir;

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void aNewStateDirIsOwnerOnlyAndSoAreTheDatabaseAndItsWalFiles() throws Exception {
    Path stateDir = dir.resolve("lib/flywall");
    try (StateDatabase db = StateDatabase.open(stateDir)) {
      StateStore store =
          StateStore.open(db, "fw-a", java.time.Clock.systemUTC(), LogRetention.DEFAULT);
      store.acceptWrites(1);
      store.put("b", "k", new byte[] {1}, java.util.Optional.empty());

      assertThat(mode(stateDir)).isEqualTo("rwx------");
      assertThat(mode(stateDir.getParent()))
          .as("parents keep the usual mode")
          .isNotEqualTo("rwx------");
      for (String name : new String[] {"state.db", "state.db-wal", "state.db-shm"}) {
        assertThat(mode(stateDir.resolve(name))).as(name).isEqualTo("rw-------");
      }
    }
  }

  @Test
  void aStateDirAndDatabaseLeftWideByAnOlderVersionAreNarrowed() throws Exception {
    Path stateDir = Files.createDirectories(dir.resolve("old"));
    try (StateDatabase db = StateDatabase.open(stateDir)) {
      // created, then widened as the umask used to leave them
    }
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        stateDir.resolve("state.db"), PosixFilePermissions.fromString("rw-r--r--"));

    try (StateDatabase db = StateDatabase.open(stateDir)) {
      assertThat(mode(stateDir)).isEqualTo("rwx------");
      assertThat(mode(stateDir.resolve("state.db"))).isEqualTo("rw-------");
    }
  }

  @Test
  void aSharedStickyDirectoryIsRefusedNotNarrowed() throws Exception {
    Path shared = Files.createDirectories(dir.resolve("tmp"));
    Files.setAttribute(shared, "unix:mode", 01777);

    assertThatThrownBy(() -> StateDatabase.open(shared))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("shared directory")
        .hasMessageContaining("state_dir");
    assertThat((Integer) Files.getAttribute(shared, "unix:mode") & 07777).isEqualTo(01777);
  }
}
