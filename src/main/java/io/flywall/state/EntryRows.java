package io.flywall.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code entries} table: one row per key, its latest write (a NULL value is a tombstone, kept
 * so a late older write cannot resurrect the key). Statements are the database's reused ones; every
 * method runs while the caller holds the connection.
 */
final class EntryRows {
  private static final String COLUMNS = "bucket, key, value, version, hlc, origin, expires_ms";
  private static final String CURRENT =
      "SELECT value, version, hlc, origin, expires_ms FROM entries WHERE bucket = ? AND key = ?";
  private static final String UPSERT =
      "INSERT OR REPLACE INTO entries(" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)";
  private static final String LIVE = " value IS NOT NULL AND (expires_ms = 0 OR expires_ms > ?)";
  private static final String GET =
      "SELECT " + COLUMNS + " FROM entries WHERE bucket = ? AND key = ? AND" + LIVE;
  private static final String LIST =
      "SELECT " + COLUMNS + " FROM entries WHERE bucket = ? AND" + LIVE + " ORDER BY key LIMIT ?";
  private static final String NEWEST =
      "SELECT "
          + COLUMNS
          + " FROM entries WHERE bucket = ? AND"
          + LIVE
          + " ORDER BY key DESC LIMIT ?";
  private static final String COUNT =
      "SELECT COUNT(*) FROM entries WHERE bucket = ? AND value IS NOT NULL";
  private static final String DUE =
      "SELECT bucket, key FROM entries"
          + " WHERE expires_ms > 0 AND expires_ms <= ? AND value IS NOT NULL LIMIT ?";

  private final StateDatabase db;

  EntryRows(StateDatabase db) {
    this.db = db;
  }

  /** The row of {@code bucket/key} as a change without a log position, tombstones included. */
  Optional<Change> current(String bucket, String key) throws SQLException {
    PreparedStatement st = db.prepared(CURRENT);
    st.setString(1, bucket);
    st.setString(2, key);
    try (ResultSet rs = st.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Change(
              0,
              0,
              bucket,
              key,
              rs.getBytes(1),
              rs.getLong(2),
              new Hlc(rs.getLong(3)),
              rs.getString(4),
              rs.getLong(5)));
    }
  }

  /** Makes {@code change} the row of its key. */
  void store(Change change) throws SQLException {
    PreparedStatement st = db.prepared(UPSERT);
    st.setString(1, change.bucket());
    st.setString(2, change.key());
    st.setBytes(3, change.value());
    st.setLong(4, change.version());
    st.setLong(5, change.hlc().value());
    st.setString(6, change.origin());
    st.setLong(7, change.expiresAtMillis());
    st.executeUpdate();
  }

  Optional<Entry> live(String bucket, String key, long now) throws SQLException {
    PreparedStatement st = db.prepared(GET);
    st.setString(1, bucket);
    st.setString(2, key);
    st.setLong(3, now);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
    }
  }

  /** Live entries of {@code bucket} in key order, or newest key first. */
  List<Entry> list(String bucket, long now, int limit, boolean descending) throws SQLException {
    PreparedStatement st = db.prepared(descending ? NEWEST : LIST);
    st.setString(1, bucket);
    st.setLong(2, now);
    st.setInt(3, limit);
    List<Entry> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.add(entry(rs));
      }
    }
    return out;
  }

  long count(String bucket) throws SQLException {
    PreparedStatement st = db.prepared(COUNT);
    st.setString(1, bucket);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Keys whose expiry passed by {@code now}, at most {@code limit}. */
  List<String[]> due(long now, int limit) throws SQLException {
    PreparedStatement st = db.prepared(DUE);
    st.setLong(1, now);
    st.setInt(2, limit);
    List<String[]> keys = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        keys.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    return keys;
  }

  /** The checksum over every live entry and the highest HLC, by reading them all (at open). */
  long[] checksumAndMaxHlc() throws SQLException {
    long sum = 0;
    long maxHlc = 0;
    try (ResultSet rs = db.prepared("SELECT " + COLUMNS + " FROM entries").executeQuery()) {
      while (rs.next()) {
        maxHlc = Math.max(maxHlc, rs.getLong(5));
        if (rs.getBytes(3) != null) {
          sum ^= StateChecksum.digest(entry(rs));
        }
      }
    }
    return new long[] {sum, maxHlc};
  }

  long maxHlc() throws SQLException {
    try (ResultSet rs = db.prepared("SELECT MAX(hlc) FROM entries").executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The checksum contribution of a row: its digest if it holds a value, else nothing. */
  static long digestOf(Optional<Change> row) {
    if (row.isEmpty() || row.get().deleted()) {
      return 0;
    }
    Change r = row.get();
    return StateChecksum.digest(
        r.bucket(),
        r.key(),
        r.value(),
        r.version(),
        r.hlc().value(),
        r.origin(),
        r.expiresAtMillis());
  }

  static Entry entry(ResultSet rs) throws SQLException {
    return new Entry(
        rs.getString(1),
        rs.getString(2),
        rs.getBytes(3),
        rs.getLong(4),
        new Hlc(rs.getLong(5)),
        rs.getString(6),
        rs.getLong(7));
  }
}
