package io.flywall.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a {@code state.db} written by an older version to {@link StateDatabase#SCHEMA_VERSION}, in
 * one transaction: a crash or an error midway leaves the file as it was, and the next start tries
 * again. Schema 1 to 2 adds each entry's digest, computed from the row as the checksum always was,
 * so the store's checksum (and so agreement with the other nodes) is the same before and after.
 */
final class SchemaMigration {
  /** Rows hashed and updated per round while filling the digests: bounds the memory used. */
  private static final int FILL_CHUNK = 10_000;

  private SchemaMigration() {}

  static void toCurrent(Connection c, Path file) throws SQLException {
    int version = userVersion(c);
    if (version > StateDatabase.SCHEMA_VERSION) {
      throw new SQLException(
          file
              + " has schema "
              + version
              + ", written by a newer flywall than this one (schema "
              + StateDatabase.SCHEMA_VERSION
              + "): run that version, or move the file away to start with empty state and take"
              + " a snapshot from the primary");
    }
    if (version == StateDatabase.SCHEMA_VERSION) {
      return;
    }
    c.setAutoCommit(false);
    try {
      if (!hasColumn(c, "entries", "digest")) {
        try (Statement st = c.createStatement()) {
          st.executeUpdate("ALTER TABLE entries ADD COLUMN digest INTEGER");
          // Only ever holds an unfinished snapshot, which is received again anyway.
          st.executeUpdate("DROP TABLE IF EXISTS snapshot_staging");
          st.executeUpdate(StateDatabase.STAGING_TABLE);
        }
      }
      fillDigests(c);
      try (Statement st = c.createStatement()) {
        st.executeUpdate("PRAGMA user_version = " + StateDatabase.SCHEMA_VERSION);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  static int userVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        if (rs.getString("name").equals(column)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Computes the digest of every row that has none yet (all of them, coming from schema 1). */
  private static void fillDigests(Connection c) throws SQLException {
    try (PreparedStatement read =
            c.prepareStatement(
                "SELECT bucket, key, value, version, hlc, origin, expires_ms FROM entries"
                    + " WHERE digest IS NULL LIMIT "
                    + FILL_CHUNK);
        PreparedStatement update =
            c.prepareStatement("UPDATE entries SET digest = ? WHERE bucket = ? AND key = ?")) {
      while (true) {
        List<Entry> rows = new ArrayList<>(FILL_CHUNK);
        try (ResultSet rs = read.executeQuery()) {
          while (rs.next()) {
            rows.add(EntryRows.entry(rs));
          }
        }
        if (rows.isEmpty()) {
          return;
        }
        for (Entry e : rows) {
          update.setLong(1, e.value() == null ? 0 : StateChecksum.digest(e));
          update.setString(2, e.bucket());
          update.setString(3, e.key());
          update.addBatch();
        }
        update.executeBatch();
      }
    }
  }
}
