package io.flywall.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Receives a snapshot into a staging table, chunk by chunk, and swaps it in (the staging table is
 * renamed to {@code entries}, no row is copied) in one transaction, only when it is complete and
 * its checksum matches. A snapshot cut off midway leaves the store exactly as it was.
 */
public final class SnapshotSink {
  private static final String INSERT_INTO =
      "INSERT OR REPLACE INTO snapshot_staging(bucket, key, value,"
          + " version, hlc, origin, expires_ms, digest) VALUES ";
  private static final RowBatches.Shapes INSERT =
      new RowBatches.Shapes(INSERT_INTO, "(?, ?, ?, ?, ?, ?, ?, ?)", "");

  /**
   * Rows of one bucket and origin (a snapshot is sent in key order, so most statements are): those
   * two are bound once for the statement (?1, ?2), each row binds only its own six. Every bound
   * parameter is a call into the driver's native code.
   */
  private static final int SHARED = 2;

  private static final int OWN = 6;
  private static final RowBatches.Shapes INSERT_ALIKE =
      new RowBatches.Shapes(
          INSERT_INTO,
          i -> {
            int p = SHARED + OWN * i;
            return String.format(
                "(?1, ?%d, ?%d, ?%d, ?%d, ?2, ?%d, ?%d)", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
          },
          "");

  private final StateDatabase db;
  private final StateStore store;
  private long checksum;
  private long maxHlc;
  private long rows;

  private SnapshotSink(StateDatabase db, StateStore store) {
    this.db = db;
    this.store = store;
  }

  static SnapshotSink begin(StateDatabase db, StateStore store) throws StateStoreException {
    SnapshotSink sink = new SnapshotSink(db, store);
    sink.clearStaging();
    return sink;
  }

  public void add(List<Change> chunk) throws StateStoreException {
    // Each row's digest is computed here once: it checks the snapshot and is stored with the row.
    long[] digests = new long[chunk.size()];
    for (int i = 0; i < digests.length; i++) {
      digests[i] = EntryRows.digestOf(chunk.get(i));
    }
    db.withConnection(
        c ->
            db.withoutFsync(
                () -> {
                  int next = 0;
                  for (int size : RowBatches.sizes(chunk.size())) {
                    List<Change> rows = chunk.subList(next, next + size);
                    if (alike(rows)) {
                      insertAlike(rows, digests, next);
                    } else {
                      insert(rows, digests, next);
                    }
                    next += size;
                  }
                  return null;
                }));
    for (int i = 0; i < digests.length; i++) {
      maxHlc = Math.max(maxHlc, chunk.get(i).hlc().value());
      checksum ^= digests[i];
    }
    rows += chunk.size();
  }

  /** Whether {@code rows} share their bucket and origin. */
  private static boolean alike(List<Change> rows) {
    Change first = rows.get(0);
    for (Change c : rows) {
      if (!c.bucket().equals(first.bucket()) || !c.origin().equals(first.origin())) {
        return false;
      }
    }
    return true;
  }

  /** Stages {@code rows}, whose digests are at {@code digests[from]} on. */
  private void insertAlike(List<Change> rows, long[] digests, int from) throws SQLException {
    PreparedStatement st = db.prepared(INSERT_ALIKE.sql(rows.size()));
    st.setString(1, rows.get(0).bucket());
    st.setString(2, rows.get(0).origin());
    int p = SHARED + 1;
    int d = from;
    for (Change row : rows) {
      st.setString(p++, row.key());
      st.setBytes(p++, row.value());
      st.setLong(p++, row.version());
      st.setLong(p++, row.hlc().value());
      st.setLong(p++, row.expiresAtMillis());
      st.setLong(p++, digests[d++]);
    }
    st.executeUpdate();
  }

  private void insert(List<Change> rows, long[] digests, int from) throws SQLException {
    PreparedStatement st = db.prepared(INSERT.sql(rows.size()));
    int p = 1;
    int d = from;
    for (Change row : rows) {
      st.setString(p++, row.bucket());
      st.setString(p++, row.key());
      st.setBytes(p++, row.value());
      st.setLong(p++, row.version());
      st.setLong(p++, row.hlc().value());
      st.setString(p++, row.origin());
      st.setLong(p++, row.expiresAtMillis());
      st.setLong(p++, digests[d++]);
    }
    st.executeUpdate();
  }

  public long rowsReceived() {
    return rows;
  }

  /**
   * Replaces the store's entries and log with the snapshot, if it is complete: {@code
   * expectedChecksum} and the row count must match what arrived.
   */
  public void finish(SnapshotHeader header, long expectedChecksum)
      throws StateStoreException, SnapshotMismatchException {
    if (checksum != expectedChecksum || rows != header.entries()) {
      abort();
      throw new SnapshotMismatchException(
          "snapshot incomplete or damaged: "
              + rows
              + " of "
              + header.entries()
              + " rows, checksum "
              + StateChecksum.format(checksum)
              + " expected "
              + StateChecksum.format(expectedChecksum));
    }
    store.adoptSnapshot(header, checksum, maxHlc);
  }

  /** Drops whatever was staged; the store is unchanged. */
  public void abort() throws StateStoreException {
    clearStaging();
  }

  /**
   * Inside the adopting transaction: the staged rows become the entries by renaming their table;
   * the old entries go with their table, and an empty staging table is made for the next time.
   */
  static void swapIn(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeUpdate("DROP TABLE entries");
      st.executeUpdate("ALTER TABLE snapshot_staging RENAME TO entries");
      st.executeUpdate(StateDatabase.EXPIRY_INDEX);
      st.executeUpdate(StateDatabase.STAGING_TABLE);
    }
  }

  // Dropping the table is as quick for a million rows as for none; a DELETE would visit them all.
  private void clearStaging() throws StateStoreException {
    db.withConnection(
        c -> {
          try (Statement st = c.createStatement()) {
            st.executeUpdate("DROP TABLE IF EXISTS snapshot_staging");
            st.executeUpdate(StateDatabase.STAGING_TABLE);
          }
          return null;
        });
  }
}
