package io.flywall.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads and writes {@code node_meta} rows on a connection already in use (inside a transaction).
 */
final class NodeMetaRows {
  private final Connection c;

  NodeMetaRows(Connection c) {
    this.c = c;
  }

  String get(String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT value FROM node_meta WHERE key = ?")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  void put(String key, String value) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO node_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
      st.setString(1, key);
      st.setString(2, value);
      st.executeUpdate();
    }
  }
}
