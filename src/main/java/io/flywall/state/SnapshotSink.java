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
  private static final RowBatches.Shapes INSERT =
      new RowBatches.Shapes(
          "INSERT OR REPLACE INTO snapshot_staging(bucket, key, value,"
              + " version, hlc, origin, expires_ms, digest) VALUES ",
          "(?, ?, ?, ?, ?, ?, ?, ?)",
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
                    PreparedStatement st = db.prepared(INSERT.sql(size));
                    int p = 1;
                    for (int i = 0; i < size; i++) {
                      Change row = chunk.get(next);
                      st.setString(p++, row.bucket());
                      st.setString(p++, row.key());
                      st.setBytes(p++, row.value());
                      st.setLong(p++, row.version());
                      st.setLong(p++, row.hlc().value());
                      st.setString(p++, row.origin());
                      st.setLong(p++, row.expiresAtMillis());
                      st.setLong(p++, digests[next++]);
                    }
                    st.executeUpdate();
                  }
                  return null;
                }));
    for (int i = 0; i < digests.length; i++) {
      maxHlc = Math.max(maxHlc, chunk.get(i).hlc().value());
      checksum ^= digests[i];
    }
    rows += chunk.size();
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
