package io.flywall.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Reads the log on a read-only connection of its own, for a sender further behind than the {@link
 * ChangeFeed} holds. Through the store's connection each read waited for the commit in progress and
 * held the next one up, so under a steady write load a sender 1,000 changes a read behind fell
 * further behind with every commit, until retention trimmed what it needed and the replica took a
 * snapshot; here (WAL) it reads what was committed while the commits go on. The caller closes it.
 */
public final class LogReader implements AutoCloseable {
  private final StateStore store;
  private final Connection connection;
  private final PreparedStatement after;

  private LogReader(StateStore store, Connection connection, PreparedStatement after) {
    this.store = store;
    this.connection = connection;
    this.after = after;
  }

  static LogReader open(StateStore store, StateDatabase db) throws StateStoreException {
    Connection c = db.openReader();
    try {
      return new LogReader(store, c, c.prepareStatement(ChangeLog.AFTER));
    } catch (SQLException e) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Already failing; the first error is the one to report.
      }
      throw new StateStoreException("cannot read the log: " + e.getMessage(), e);
    }
  }

  /**
   * As {@link StateStore#changesAfter(long, int, long)}: the changes after {@code after}, at most
   * {@code maxChanges} and about {@code maxBytes} (at least one); empty if the log no longer holds
   * the change after {@code after}.
   */
  public Optional<List<Change>> after(long after, int maxChanges, long maxBytes)
      throws StateStoreException {
    List<Change> changes;
    try {
      changes = ChangeLog.read(this.after, after, maxChanges, maxBytes);
    } catch (SQLException e) {
      throw new StateStoreException("cannot read the log: " + e.getMessage(), e);
    }
    if (changes.isEmpty()) {
      // Nothing after it committed yet, or retention trimmed the log down to nothing: the store
      // knows which (the reader's rows alone cannot tell).
      return store.changesAfter(after, maxChanges, maxBytes);
    }
    // Retention trims the oldest rows: a first row past the one wanted means it is gone.
    return changes.get(0).seq() == after + 1 ? Optional.of(changes) : Optional.empty();
  }

  @Override
  public void close() {
    try {
      after.close();
      connection.close();
    } catch (SQLException ignored) {
      // Nothing was written through this connection: nothing is lost by a failed close.
    }
  }
}
