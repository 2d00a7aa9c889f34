package io.flywall.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads and writes {@code node_meta} rows on a connection already in use (inside a transaction):
 * the store's own connection with its reused statements, or a snapshot reader's connection.
 */
final class NodeMetaRows {
  static final String HISTORY_ID = "history_id";
  static final String LOG_BASE = "log_base";
  static final String LOG_BASE_EPOCH = "log_base_epoch";

  /** The checksum of all entries, and the log position it belongs to, written with every commit. */
  static final String CHECKSUM = "checksum";

  static final String CHECKSUM_AT = "checksum_at";

  private static final String SELECT = "SELECT value FROM node_meta WHERE key = ?";
  private static final String UPSERT =
      "INSERT INTO node_meta(key, value) VALUES (?, ?)"
          + " ON CONFLICT(key) DO UPDATE SET value = excluded.value";

  /** Where statements come from, and whether they are the caller's to close. */
  private interface Statements {
    PreparedStatement get(String sql) throws SQLException;
  }

  private final Statements statements;
  private final boolean closeAfterUse;

  /** On the store's connection, with its reused statements (only while holding it). */
  NodeMetaRows(StateDatabase db) {
    this.statements = db::prepared;
    this.closeAfterUse = false;
  }

  /** On another connection (a snapshot reader), preparing afresh. */
  NodeMetaRows(Connection c) {
    this.statements = c::prepareStatement;
    this.closeAfterUse = true;
  }

  String get(String key) throws SQLException {
    PreparedStatement st = statements.get(SELECT);
    try {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } finally {
      done(st);
    }
  }

  long getLong(String key, long absent) throws SQLException {
    String value = get(key);
    return value == null ? absent : Long.parseLong(value);
  }

  void put(String key, String value) throws SQLException {
    PreparedStatement st = statements.get(UPSERT);
    try {
      st.setString(1, key);
      st.setString(2, value);
      st.executeUpdate();
    } finally {
      done(st);
    }
  }

  void put(String key, long value) throws SQLException {
    put(key, Long.toString(value));
  }

  private void done(PreparedStatement st) throws SQLException {
    if (closeAfterUse) {
      st.close();
    }
  }
}
