package io.flywall.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code changes} table: every write in log order, written in the same transaction as its
 * entry, and trimmed to the retention bound as it grows. Trimming is incremental: the log's size is
 * kept as a running total and only the rows that fall out are read, never the whole log. Every
 * method runs while the caller holds the connection.
 */
final class ChangeLog {
  private static final String COLUMNS =
      "seq, epoch, bucket, key, value, version, hlc, origin, expires_ms";
  private static final String INSERT_INTO = "INSERT INTO changes(" + COLUMNS + ") VALUES ";
  private static final RowBatches.Shapes INSERT =
      new RowBatches.Shapes(INSERT_INTO, "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "");

  /**
   * Rows of one epoch, bucket and origin (what one primary's group commit writes, and what a
   * replica applies of it): those three and the first row's seq are bound once for the statement
   * (?1 to ?4; the rows' seqs follow on), each row binds only its own five. Every bound parameter
   * is a call into the driver's native code, which cost more than SQLite's own work on the row.
   */
  private static final int SHARED = 4;

  private static final int OWN = 5;
  private static final RowBatches.Shapes INSERT_ALIKE =
      new RowBatches.Shapes(
          INSERT_INTO,
          i -> {
            int p = SHARED + OWN * i;
            return String.format(
                "(?1 + %d, ?2, ?3, ?%d, ?%d, ?%d, ?%d, ?4, ?%d)",
                i, p + 1, p + 2, p + 3, p + 4, p + 5);
          },
          "");
  static final String AFTER =
      "SELECT " + COLUMNS + " FROM changes WHERE seq > ? ORDER BY seq LIMIT ?";
  private static final String ROW_BYTES = "LENGTH(key) + IFNULL(LENGTH(value), 0) + 64";
  private static final String OLDEST =
      "SELECT seq, epoch, " + ROW_BYTES + " FROM changes WHERE seq > ? ORDER BY seq";
  private static final String DROP = "DELETE FROM changes WHERE seq <= ?";
  private static final String EPOCH_AT = "SELECT epoch FROM changes WHERE seq = ?";
  private static final String FIRST_FROM_EPOCH = "SELECT MIN(seq) FROM changes WHERE epoch >= ?";

  /**
   * Where the log stands: it holds the changes after {@code base} through {@code position}, about
   * {@code bytes} of them; {@code baseEpoch} is the epoch of the change at {@code base}.
   */
  record Extent(long base, long baseEpoch, long position, long bytes) {
    long count() {
      return position - base;
    }
  }

  private final StateDatabase db;
  private final LogRetention retention;

  ChangeLog(StateDatabase db, LogRetention retention) {
    this.db = db;
    this.retention = retention;
  }

  /** Reads the extent of the log as stored (at open). */
  Extent load(NodeMetaRows meta) throws SQLException {
    long base = meta.getLong(NodeMetaRows.LOG_BASE, 0);
    long baseEpoch = meta.getLong(NodeMetaRows.LOG_BASE_EPOCH, 0);
    try (ResultSet rs =
        db.prepared("SELECT MAX(seq), SUM(" + ROW_BYTES + ") FROM changes").executeQuery()) {
      long max = rs.next() ? rs.getLong(1) : 0;
      long bytes = rs.getLong(2);
      return new Extent(base, baseEpoch, Math.max(max, base), bytes);
    }
  }

  /** Appends {@code changes}, which continue the log; returns the extent with them. */
  Extent append(Extent extent, List<Change> changes) throws SQLException {
    if (changes.isEmpty()) {
      return extent;
    }
    long bytes = 0;
    int next = 0;
    for (int size : RowBatches.sizes(changes.size())) {
      List<Change> rows = changes.subList(next, next + size);
      if (alike(rows)) {
        insertAlike(rows);
      } else {
        insert(rows);
      }
      for (Change c : rows) {
        bytes += rowBytes(c);
      }
      next += size;
    }
    long position = changes.get(changes.size() - 1).seq();
    return new Extent(extent.base(), extent.baseEpoch(), position, extent.bytes() + bytes);
  }

  /** Whether {@code rows} share their epoch, bucket and origin, and their seqs follow on. */
  private static boolean alike(List<Change> rows) {
    Change first = rows.get(0);
    for (int i = 0; i < rows.size(); i++) {
      Change c = rows.get(i);
      if (c.seq() != first.seq() + i
          || c.epoch() != first.epoch()
          || !c.bucket().equals(first.bucket())
          || !c.origin().equals(first.origin())) {
        return false;
      }
    }
    return true;
  }

  private void insertAlike(List<Change> rows) throws SQLException {
    PreparedStatement st = db.prepared(INSERT_ALIKE.sql(rows.size()));
    Change first = rows.get(0);
    st.setLong(1, first.seq());
    st.setLong(2, first.epoch());
    st.setString(3, first.bucket());
    st.setString(4, first.origin());
    int p = SHARED + 1;
    for (Change c : rows) {
      st.setString(p++, c.key());
      st.setBytes(p++, c.value());
      st.setLong(p++, c.version());
      st.setLong(p++, c.hlc().value());
      st.setLong(p++, c.expiresAtMillis());
    }
    st.executeUpdate();
  }

  private void insert(List<Change> rows) throws SQLException {
    PreparedStatement st = db.prepared(INSERT.sql(rows.size()));
    int p = 1;
    for (Change c : rows) {
      st.setLong(p++, c.seq());
      st.setLong(p++, c.epoch());
      st.setString(p++, c.bucket());
      st.setString(p++, c.key());
      st.setBytes(p++, c.value());
      st.setLong(p++, c.version());
      st.setLong(p++, c.hlc().value());
      st.setString(p++, c.origin());
      st.setLong(p++, c.expiresAtMillis());
    }
    st.executeUpdate();
  }

  /**
   * Drops the oldest changes until the log is within its retention bound again, reading only the
   * rows it drops; records the new base in {@code meta}. Returns the extent after.
   */
  Extent trim(Extent extent, NodeMetaRows meta) throws SQLException {
    long excessCount = extent.count() - retention.maxChanges();
    long excessBytes = extent.bytes() - retention.maxBytes();
    if (excessCount <= 0 && excessBytes <= 0) {
      return extent;
    }
    long base = extent.base();
    long baseEpoch = extent.baseEpoch();
    long dropped = 0;
    long droppedBytes = 0;
    PreparedStatement st = db.prepared(OLDEST);
    st.setLong(1, extent.base());
    try (ResultSet rs = st.executeQuery()) {
      while ((dropped < excessCount || droppedBytes < excessBytes) && rs.next()) {
        base = rs.getLong(1);
        baseEpoch = rs.getLong(2);
        dropped++;
        droppedBytes += rs.getLong(3);
      }
    }
    PreparedStatement drop = db.prepared(DROP);
    drop.setLong(1, base);
    drop.executeUpdate();
    meta.put(NodeMetaRows.LOG_BASE, base);
    meta.put(NodeMetaRows.LOG_BASE_EPOCH, baseEpoch);
    return new Extent(base, baseEpoch, extent.position(), extent.bytes() - droppedBytes);
  }

  /** Empties the log: it now starts after {@code base}, a snapshot's position. */
  Extent restart(long base, long baseEpoch, NodeMetaRows meta) throws SQLException {
    db.prepared("DELETE FROM changes").executeUpdate();
    meta.put(NodeMetaRows.LOG_BASE, base);
    meta.put(NodeMetaRows.LOG_BASE_EPOCH, baseEpoch);
    return new Extent(base, baseEpoch, base, 0);
  }

  /**
   * The changes after {@code after}: at most {@code maxChanges} and about {@code maxBytes} (at
   * least one); empty if they are no longer in the log.
   */
  Optional<List<Change>> after(Extent extent, long after, int maxChanges, long maxBytes)
      throws SQLException {
    if (after < extent.base()) {
      return Optional.empty();
    }
    return Optional.of(read(db.prepared(AFTER), after, maxChanges, maxBytes));
  }

  /**
   * Runs {@link #AFTER} (prepared on any connection): the changes after {@code after} it finds, at
   * most {@code maxChanges} and about {@code maxBytes} (at least one).
   */
  static List<Change> read(PreparedStatement st, long after, int maxChanges, long maxBytes)
      throws SQLException {
    st.setLong(1, after);
    st.setInt(2, maxChanges);
    List<Change> out = new ArrayList<>();
    long size = 0;
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        Change change =
            new Change(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                rs.getBytes(5),
                rs.getLong(6),
                new Hlc(rs.getLong(7)),
                rs.getString(8),
                rs.getLong(9));
        size += change.sizeBound();
        if (!out.isEmpty() && size > maxBytes) {
          break;
        }
        out.add(change);
      }
    }
    return out;
  }

  /** The epoch of the change at {@code seq}, or -1 when the log no longer (or never) held it. */
  long epochAt(Extent extent, long seq) throws SQLException {
    if (seq == extent.base()) {
      return extent.baseEpoch();
    }
    PreparedStatement st = db.prepared(EPOCH_AT);
    st.setLong(1, seq);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** The first position written at {@code epoch} or later, if the log holds one. */
  Optional<Long> firstFromEpoch(long epoch) throws SQLException {
    PreparedStatement st = db.prepared(FIRST_FROM_EPOCH);
    st.setLong(1, epoch);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() && rs.getObject(1) != null ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }

  /** A change's share of the retention byte bound, as the SQL above counts it. */
  private static long rowBytes(Change c) {
    return c.key().length() + (c.value() == null ? 0 : c.value().length) + 64L;
  }
}
