package io.flywall.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirLockTest {
  @TempDir Path dir;

  @Test
  void theHolderWritesItsPidIntoTheLockFile() throws Exception {
    Path state = dir.resolve("state");
    try (StateDirLock lock = StateDirLock.acquire(state, 4242)) {
      assertThat(Files.readString(state.resolve(StateDirLock.FILE_NAME)).trim()).isEqualTo("4242");
    }
  }

  @Test
  void aSecondHolderOfTheSameDirectoryIsRefusedWithAlreadyRunningAndAPid() throws Exception {
    Path state = dir.resolve("state");
    try (StateDirLock first = StateDirLock.acquire(state, 4242)) {
      assertThatThrownBy(() -> StateDirLock.acquire(state, 4343))
          .isInstanceOf(StateDirLock.HeldException.class)
          .hasMessageContaining("already running (pid ")
          .hasMessageContaining(state.toString());
      // The refused attempt must not have dropped the first holder's lock (POSIX locks are per
      // process: closing any descriptor of the file would).
      assertThatThrownBy(() -> StateDirLock.acquire(state.resolve("..").resolve("state"), 4444))
          .isInstanceOf(StateDirLock.HeldException.class);
    }
  }

  @Test
  void aClosedLockCanBeTakenAgain() throws Exception {
    Path state = dir.resolve("state");
    StateDirLock.acquire(state, 1).close();
    try (StateDirLock again = StateDirLock.acquire(state, 2)) {
      assertThat(Files.readString(state.resolve(StateDirLock.FILE_NAME)).trim()).isEqualTo("2");
    }
  }

  @Test
  void differentDirectoriesDoNotExcludeEachOther() throws Exception {
    try (StateDirLock a = StateDirLock.acquire(dir.resolve("a"), 1);
        StateDirLock b = StateDirLock.acquire(dir.resolve("b"), 2)) {
      assertThat(Files.exists(dir.resolve("b").resolve(StateDirLock.FILE_NAME))).isTrue();
    }
  }
}
