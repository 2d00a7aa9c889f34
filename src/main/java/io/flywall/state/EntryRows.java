package io.flywall.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UPSERT_MANY = "INSERT INTO entries(" + COLUMNS + ", digest) VALUES ";
  // An existing row is updated in place; OR REPLACE would delete it and insert it again.
  private static final String ON_CONFLICT =
      " ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value,"
          + " version = excluded.version, hlc = excluded.hlc, origin = excluded.origin,"
          + " expires_ms = excluded.expires_ms, digest = excluded.digest";
  private static final String UPSERT = UPSERT_MANY + ROW + ON_CONFLICT;
  // The rows of changes just logged, taken from their log rows: only the seq and the digest are
  // bound (2 parameters a row instead of 8; each bound parameter is a call into the driver's
  // native code), SQLite copies the rest from the log row, found by its rowid.
  private static final RowBatches.Shapes FROM_LOG =
      new RowBatches.Shapes(
          "INSERT INTO entries("
              + COLUMNS
              + ", digest) SELECT c.bucket, c.key, c.value, c.version, c.hlc, c.origin,"
              + " c.expires_ms, d.column2 FROM (VALUES ",
          "(?, ?)",
          ") AS d JOIN changes AS c ON c.seq = d.column1 WHERE true" + ON_CONFLICT);
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

  // What a write needs of the rows it replaces, and no value: whether each holds one, its
  // version and expiry, and its digest (what it takes out of the checksum).
  // Each found row comes back with the index of its key in the statement, not its bucket and key:
  // two strings fewer to carry out of the driver per row.
  private static final RowBatches.Shapes SOME =
      new RowBatches.Shapes(
          "SELECT d.column1, e.value IS NULL, e.version, e.expires_ms, e.digest FROM (VALUES ",
          index -> "(" + index + ", ?, ?)",
          ") AS d JOIN entries AS e ON e.bucket = d.column2 AND e.key = d.column3");

  /** A key of a bucket. */
  record Key(String bucket, String key) {
    static Key of(Change c) {
      return new Key(c.bucket(), c.key());
    }
  }

  /**
   * What a write needs to know of a key's row: whether it holds a value (not a tombstone), its
   * version and expiry, and its share of the checksum (0 for a tombstone).
   */
  record Stored(boolean deleted, long version, long expiresAtMillis, long digest) {
    static Stored of(Change row, long digest) {
      return new Stored(row.deleted(), row.version(), row.expiresAtMillis(), digest);
    }
  }

  /** A row to write and its digest, computed once for the checksum and the row. */
  record Written(Change row, long digest) {}

  private final StateDatabase db;

  EntryRows(StateDatabase db) {
    this.db = db;
  }

  /** The rows of {@code keys} that exist (tombstones included), read with few statements. */
  Map<Key, Stored> current(Collection<Key> keys) throws SQLException {
    Map<Key, Stored> found = new HashMap<>(keys.size() * 2);
    Iterator<Key> it = keys.iterator();
    Key[] asked = new Key[RowBatches.LARGEST];
    for (int size : RowBatches.sizes(keys.size())) {
      PreparedStatement st = db.prepared(SOME.sql(size));
      int p = 1;
      for (int i = 0; i < size; i++) {
        Key k = it.next();
        asked[i] = k;
        st.setString(p++, k.bucket());
        st.setString(p++, k.key());
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          found.put(
              asked[rs.getInt(1)],
              new Stored(rs.getBoolean(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
        }
      }
    }
    return found;
  }

  /**
   * Makes each of {@code rows} (one per key) the row of its key, with few statements, copying each
   * from its log row: every row must be in the log already, at its seq, in this transaction.
   */
  void storeLogged(Collection<Written> rows) throws SQLException {
    Iterator<Written> it = rows.iterator();
    for (int size : RowBatches.sizes(rows.size())) {
      PreparedStatement st = db.prepared(FROM_LOG.sql(size));
      int p = 1;
      for (int i = 0; i < size; i++) {
        Written w = it.next();
        st.setLong(p++, w.row().seq());
        st.setLong(p++, w.digest());
      }
      int written = st.executeUpdate();
      if (written != size) {
        // A row missing from the log: nothing of this transaction may be committed.
        throw new SQLException(
            "wrote " + written + " of " + size + " entries from the log: log rows are missing");
      }
    }
  }

  private static int bind(PreparedStatement st, int first, Change change, long digest)
      throws SQLException {
    int p = first;
    st.setString(p++, change.bucket());
    st.setString(p++, change.key());
    st.setBytes(p++, change.value());
    st.setLong(p++, change.version());
    st.setLong(p++, change.hlc().value());
    st.setString(p++, change.origin());
    st.setLong(p++, change.expiresAtMillis());
    st.setLong(p++, digest);
    return p;
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

  /** Makes {@code change} the row of its key; returns its digest. */
  long store(Change change) throws SQLException {
    long digest = digestOf(change);
    PreparedStatement st = db.prepared(UPSERT);
    bind(st, 1, change, digest);
    st.executeUpdate();
    return digest;
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

  /**
   * The checksum over every entry and the highest HLC, from the digests the rows hold (at open,
   * when the recorded checksum is missing or belongs to another position).
   */
  long[] checksumAndMaxHlc() throws SQLException {
    long sum = 0;
    long maxHlc = 0;
    try (ResultSet rs = db.prepared("SELECT digest, hlc FROM entries").executeQuery()) {
      while (rs.next()) {
        sum ^= rs.getLong(1);
        maxHlc = Math.max(maxHlc, rs.getLong(2));
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
    return row.isEmpty() ? 0 : digestOf(row.get());
  }

  /** The checksum contribution of a row: its digest if it holds a value, 0 for a tombstone. */
  static long digestOf(Change r) {
    if (r.deleted()) {
      return 0;
    }
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
