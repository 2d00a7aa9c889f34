package io.flywall.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A consistent snapshot read through its own connection and read transaction, handed out in chunks
 * so memory stays bounded whatever the store's size. Rows are {@link Change}s without a log
 * position; tombstones are included so a later merge still knows what was deleted. The checksum is
 * the one the store recorded with its last commit, read in the same transaction: nothing is hashed
 * here (without that record, it is the XOR of the digests the rows hold).
 */
public final class SnapshotSource implements AutoCloseable {
  private final Connection connection;
  private final PreparedStatement rows;
  private final ResultSet cursor;
  private final SnapshotHeader header;
  private final boolean recorded;
  private long checksum;
  private boolean exhausted;

  private SnapshotSource(
      Connection connection,
      PreparedStatement rows,
      ResultSet cursor,
      SnapshotHeader header,
      boolean recorded,
      long checksum) {
    this.connection = connection;
    this.rows = rows;
    this.cursor = cursor;
    this.header = header;
    this.recorded = recorded;
    this.checksum = checksum;
  }

  static SnapshotSource open(StateDatabase db, String fallbackHistoryId)
      throws StateStoreException {
    Connection c = db.openReader();
    try {
      c.setAutoCommit(false);
      NodeMetaRows meta = new NodeMetaRows(c);
      String history = meta.get(NodeMetaRows.HISTORY_ID);
      long base = meta.getLong(NodeMetaRows.LOG_BASE, 0);
      long position = base;
      long epoch = meta.getLong(NodeMetaRows.LOG_BASE_EPOCH, 0);
      try (PreparedStatement st =
          c.prepareStatement("SELECT seq, epoch FROM changes ORDER BY seq DESC LIMIT 1")) {
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next() && rs.getLong(1) > base) {
            position = rs.getLong(1);
            epoch = rs.getLong(2);
          }
        }
      }
      boolean recorded =
          meta.getLong(NodeMetaRows.CHECKSUM_AT, -1) == position
              && meta.get(NodeMetaRows.CHECKSUM) != null;
      long checksum = recorded ? meta.getLong(NodeMetaRows.CHECKSUM, 0) : 0;
      long count;
      try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM entries")) {
        try (ResultSet rs = st.executeQuery()) {
          count = rs.next() ? rs.getLong(1) : 0;
        }
      }
      PreparedStatement rows =
          c.prepareStatement(
              "SELECT bucket, key, value, version, hlc, origin, expires_ms, digest FROM entries"
                  + " ORDER BY bucket, key");
      return new SnapshotSource(
          c,
          rows,
          rows.executeQuery(),
          new SnapshotHeader(history == null ? fallbackHistoryId : history, position, epoch, count),
          recorded,
          checksum);
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Already failing; the first error is the one to report.
      }
      throw new StateStoreException("cannot read a snapshot: " + e.getMessage(), e);
    }
  }

  public SnapshotHeader header() {
    return header;
  }

  /** The next rows, at most {@code max}; an empty list once all rows were read. */
  public List<Change> next(int max) throws StateStoreException {
    return next(max, Long.MAX_VALUE);
  }

  /**
   * The next rows, at most {@code max} and about {@code maxBytes} by {@link Change#sizeBound} (at
   * least one); an empty list once all rows were read.
   */
  public List<Change> next(int max, long maxBytes) throws StateStoreException {
    List<Change> chunk = new ArrayList<>();
    long bytes = 0;
    try {
      while (!exhausted && chunk.size() < max && (chunk.isEmpty() || bytes < maxBytes)) {
        if (!cursor.next()) {
          exhausted = true;
          break;
        }
        Change row =
            new Change(
                0,
                0,
                cursor.getString(1),
                cursor.getString(2),
                cursor.getBytes(3),
                cursor.getLong(4),
                new Hlc(cursor.getLong(5)),
                cursor.getString(6),
                cursor.getLong(7));
        if (!recorded) {
          checksum ^= cursor.getLong(8);
        }
        bytes += row.sizeBound();
        chunk.add(row);
      }
      return chunk;
    } catch (SQLException e) {
      throw new StateStoreException("reading a snapshot: " + e.getMessage(), e);
    }
  }

  /** The snapshot's checksum (when it was not recorded: of the rows read so far). */
  public long checksum() {
    return checksum;
  }

  @Override
  public void close() {
    try {
      cursor.close();
      rows.close();
      connection.rollback();
      connection.close();
    } catch (SQLException ignored) {
      // A read-only transaction: nothing to lose by closing it uncleanly.
    }
  }
}
