package io.flywall.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDatabaseTest {
  @TempDir Path dir;

  @Test
  void anInsertOnTheStoreConnectionRunsNoSecondQueryForGeneratedKeys() throws Exception {
    // The driver's default runs "SELECT last_insert_rowid()" after every insert (a second
    // statement per multi-row insert of the write path); off, it leaves no generated keys.
    try (StateDatabase db = StateDatabase.open(dir)) {
      boolean keys =
          db.withConnection(
              c -> {
                PreparedStatement st =
                    db.prepared("INSERT INTO node_meta(key, value) VALUES ('k', 'v')");
                st.executeUpdate();
                try (ResultSet rs = st.getGeneratedKeys()) {
                  return rs.next();
                }
              });

      assertThat(keys).isFalse();
    }
  }

  @Test
  void theDatabaseIsInWalModeWithFullSync() throws Exception {
    // What an acknowledged write's durability rests on: WAL with an fsync at every commit.
    try (StateDatabase db = StateDatabase.open(dir)) {
      String mode = db.withConnection(c -> pragma(c, "journal_mode"));
      String sync = db.withConnection(c -> pragma(c, "synchronous"));

      assertThat(mode).isEqualTo("wal");
      assertThat(sync).isEqualTo("2");
    }
  }

  private static String pragma(java.sql.Connection c, String name) throws java.sql.SQLException {
    try (var st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
