package io.flywall.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeMetaTest {
  @TempDir Path dir;

  @Test
  void aFreshNodeStartsAtEpochZero() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      assertThat(new NodeMeta(db).epoch()).isZero();
    }
  }

  @Test
  void aPersistedEpochSurvivesARestart() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      new NodeMeta(db).persistEpoch(42);
    }
    try (StateDatabase db = StateDatabase.open(dir)) {
      assertThat(new NodeMeta(db).epoch()).isEqualTo(42);
    }
  }

  @Test
  void standbyIsOffUntilSetAndSurvivesARestartBothWays() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      NodeMeta meta = new NodeMeta(db);
      assertThat(meta.standby()).isFalse();
      meta.persistStandby(true);
      meta.persistEpoch(5);
    }
    try (StateDatabase db = StateDatabase.open(dir)) {
      NodeMeta meta = new NodeMeta(db);
      assertThat(meta.standby()).isTrue();
      assertThat(meta.epoch()).isEqualTo(5);
      meta.persistStandby(false);
    }
    try (StateDatabase db = StateDatabase.open(dir)) {
      assertThat(new NodeMeta(db).standby()).isFalse();
    }
  }

  @Test
  void theEpochNeverGoesDown() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      NodeMeta meta = new NodeMeta(db);
      meta.persistEpoch(9);
      meta.persistEpoch(3);
      assertThat(meta.epoch()).isEqualTo(9);
    }
  }

  @Test
  void anUnwritableStateDirIsReportedWithItsPath() throws Exception {
    Path file = dir.resolve("not-a-dir");
    Files.writeString(file, "x");
    assertThatThrownBy(() -> StateDatabase.open(file.resolve("sub")))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("state_dir");
  }
}
