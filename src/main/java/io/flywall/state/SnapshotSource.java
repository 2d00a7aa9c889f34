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
 * position; tombstones are included so a later merge still knows what was deleted.
 */
public final class SnapshotSource implements AutoCloseable {
  private final Connection connection;
  private final PreparedStatement rows;
  private final ResultSet cursor;
  private final SnapshotHeader header;
  private long checksum;
  private boolean exhausted;

  private SnapshotSource(
      Connection connection, PreparedStatement rows, ResultSet cursor, SnapshotHeader header) {
    this.connection = connection;
    this.rows = rows;
    this.cursor = cursor;
    this.header = header;
  }

  static SnapshotSource open(StateDatabase db, String fallbackHistoryId)
      throws StateStoreException {
    Connection c = db.openReader();
    try {
      c.setAutoCommit(false);
      String history = fallbackHistoryId;
      long base = 0;
      long baseEpoch = 0;
      NodeMetaRows meta = new NodeMetaRows(c);
      if (meta.get("history_id") != null) {
        history = meta.get("history_id");
      }
      if (meta.get("log_base") != null) {
        base = Long.parseLong(meta.get("log_base"));
        baseEpoch = Long.parseLong(meta.get("log_base_epoch"));
      }
      long position = base;
      long epoch = baseEpoch;
      try (PreparedStatement st =
          c.prepareStatement("SELECT seq, epoch FROM changes ORDER BY seq DESC LIMIT 1")) {
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next() && rs.getLong(1) > base) {
            position = rs.getLong(1);
            epoch = rs.getLong(2);
          }
        }
      }
      long count;
      try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM entries")) {
        try (ResultSet rs = st.executeQuery()) {
          count = rs.next() ? rs.getLong(1) : 0;
        }
      }
      PreparedStatement rows =
          c.prepareStatement(
              "SELECT bucket, key, value, version, hlc, origin, expires_ms FROM entries ORDER BY bucket, key");
      return new SnapshotSource(
          c, rows, rows.executeQuery(), new SnapshotHeader(history, position, epoch, count));
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
    List<Change> chunk = new ArrayList<>();
    try {
      while (!exhausted && chunk.size() < max) {
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
        if (!row.deleted()) {
          checksum ^=
              StateChecksum.digest(
                  row.bucket(),
                  row.key(),
                  row.value(),
                  row.version(),
                  row.hlc().value(),
                  row.origin(),
                  row.expiresAtMillis());
        }
        chunk.add(row);
      }
      return chunk;
    } catch (SQLException e) {
      throw new StateStoreException("reading a snapshot: " + e.getMessage(), e);
    }
  }

  /** The checksum of the rows read so far: after the last chunk, the snapshot's checksum. */
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
