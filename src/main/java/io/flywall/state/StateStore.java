package io.flywall.state;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * The replicated key-value store: buckets of keys with versions, HLC timestamps, origin and expiry,
 * and a change log written in the same transaction as every entry. The services that own data
 * (DHCP, DNS, learning) call {@link #put} and {@link #delete}; replication calls {@link #apply},
 * {@link #merge} and the log readers. Writes are accepted only while this node is the primary.
 */
public final class StateStore {
  private static final String HISTORY_ID = "history_id";
  private static final String LOG_BASE = "log_base";
  private static final String LOG_BASE_EPOCH = "log_base_epoch";
  private static final int BYTES_CHECK_EVERY = 1_000;

  private final StateDatabase db;
  private final String nodeId;
  private final Clock wall;
  private final HybridClock hlc;
  private final LogRetention retention;
  private final List<LongConsumer> appendListeners = new CopyOnWriteArrayList<>();

  // Guarded by db's lock together with the rows they describe; volatile for lock-free status reads.
  private volatile String historyId;
  private volatile long position;
  private volatile long checksum;
  private volatile long logBase;
  private long logBaseEpoch;
  private long sinceBytesCheck;

  private volatile long writeEpoch;
  private volatile boolean writable;
  private volatile Optional<String> primaryHint = Optional.empty();

  private StateStore(StateDatabase db, String nodeId, Clock wall, LogRetention retention) {
    this.db = db;
    this.nodeId = nodeId;
    this.wall = wall;
    this.hlc = new HybridClock(wall);
    this.retention = retention;
  }

  /**
   * Opens the store in {@code db}: reads where the log stands and computes the checksum over all
   * entries once (afterwards every write keeps it up to date). A new store starts a new history,
   * named after this node and the time.
   */
  public static StateStore open(StateDatabase db, String nodeId, Clock wall, LogRetention retention)
      throws StateStoreException {
    StateStore store = new StateStore(db, nodeId, wall, retention);
    store.load();
    return store;
  }

  private void load() throws StateStoreException {
    db.withConnection(
        c -> {
          NodeMetaRows meta = new NodeMetaRows(c);
          String id = meta.get(HISTORY_ID);
          if (id == null) {
            id = nodeId + "-" + wall.millis();
            meta.put(HISTORY_ID, id);
          }
          historyId = id;
          logBase = parseLong(meta.get(LOG_BASE));
          logBaseEpoch = parseLong(meta.get(LOG_BASE_EPOCH));
          long sum = 0;
          long maxHlc = 0;
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT bucket, key, value, version, hlc, origin, expires_ms FROM entries")) {
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                maxHlc = Math.max(maxHlc, rs.getLong(5));
                byte[] value = rs.getBytes(3);
                if (value != null) {
                  sum ^=
                      StateChecksum.digest(
                          rs.getString(1),
                          rs.getString(2),
                          value,
                          rs.getLong(4),
                          rs.getLong(5),
                          rs.getString(6),
                          rs.getLong(7));
                }
              }
            }
          }
          checksum = sum;
          hlc.observe(new Hlc(maxHlc));
          try (PreparedStatement st = c.prepareStatement("SELECT MAX(seq) FROM changes")) {
            try (ResultSet rs = st.executeQuery()) {
              long max = rs.next() ? rs.getLong(1) : 0;
              position = Math.max(max, logBase);
            }
          }
          return null;
        });
  }

  // ---- who may write ----

  /** This node became primary for {@code epoch}: local writes are accepted and logged under it. */
  public void acceptWrites(long epoch) {
    writeEpoch = epoch;
    writable = true;
    primaryHint = Optional.of(nodeId);
  }

  /** This node is not the primary: writes are refused, naming {@code primary} when known. */
  public void refuseWrites(Optional<String> primary) {
    writable = false;
    primaryHint = primary;
  }

  public boolean writable() {
    return writable;
  }

  /** Called with the new position after every committed append (local write, apply, merge). */
  public void onAppend(LongConsumer listener) {
    appendListeners.add(listener);
  }

  // ---- the services' API ----

  /**
   * Writes {@code value} under {@code bucket/key}; with a ttl the entry disappears everywhere after
   * it.
   */
  public Change put(String bucket, String key, byte[] value, Optional<Duration> ttl)
      throws NotPrimaryException, StateStoreException {
    requireName("bucket", bucket);
    requireName("key", key);
    if (value == null) {
      throw new IllegalArgumentException("a value is required; use delete to remove a key");
    }
    long expires = ttl.map(t -> wall.millis() + Math.max(1, t.toMillis())).orElse(0L);
    return write(bucket, key, value, expires);
  }

  /** Deletes {@code bucket/key}; empty if there was nothing to delete. */
  public Optional<Change> delete(String bucket, String key)
      throws NotPrimaryException, StateStoreException {
    if (get(bucket, key).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(write(bucket, key, null, 0));
  }

  /** The live value of {@code bucket/key}: not deleted and not expired. */
  public Optional<Entry> get(String bucket, String key) throws StateStoreException {
    long now = wall.millis();
    return db.withConnection(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT bucket, key, value, version, hlc, origin, expires_ms"
                      + " FROM entries WHERE bucket = ? AND key = ? AND value IS NOT NULL AND (expires_ms = 0 OR expires_ms > ?)")) {
            st.setString(1, bucket);
            st.setString(2, key);
            st.setLong(3, now);
            try (ResultSet rs = st.executeQuery()) {
              return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
          }
        });
  }

  /** The live entries of {@code bucket} in key order, at most {@code limit}. */
  public List<Entry> list(String bucket, int limit) throws StateStoreException {
    long now = wall.millis();
    return db.withConnection(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT bucket, key, value, version, hlc, origin, expires_ms"
                      + " FROM entries WHERE bucket = ? AND value IS NOT NULL AND (expires_ms = 0 OR expires_ms > ?)"
                      + " ORDER BY key LIMIT ?")) {
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
        });
  }

  /**
   * Deletes every entry whose expiry has passed, as ordinary logged deletes, so replicas drop them
   * at the same log position and checksums stay equal. Only the primary sweeps.
   */
  public int expireDue() throws StateStoreException {
    if (!writable) {
      return 0;
    }
    long now = wall.millis();
    List<String[]> due =
        db.withConnection(
            c -> {
              try (PreparedStatement st =
                  c.prepareStatement(
                      "SELECT bucket, key FROM entries"
                          + " WHERE expires_ms > 0 AND expires_ms <= ? AND value IS NOT NULL LIMIT 10000")) {
                st.setLong(1, now);
                List<String[]> keys = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                  while (rs.next()) {
                    keys.add(new String[] {rs.getString(1), rs.getString(2)});
                  }
                }
                return keys;
              }
            });
    int removed = 0;
    for (String[] k : due) {
      try {
        write(k[0], k[1], null, 0);
        removed++;
      } catch (NotPrimaryException e) {
        break;
      }
    }
    return removed;
  }

  private Change write(String bucket, String key, byte[] value, long expires)
      throws NotPrimaryException, StateStoreException {
    if (!writable) {
      throw new NotPrimaryException(primaryHint);
    }
    Change change =
        db.withConnection(
            c ->
                inTransaction(
                    c,
                    () -> {
                      Optional<Change> current = current(c, bucket, key);
                      long version = current.map(Change::version).orElse(0L) + 1;
                      Change next =
                          new Change(
                              position + 1,
                              writeEpoch,
                              bucket,
                              key,
                              value,
                              version,
                              hlc.now(),
                              nodeId,
                              expires);
                      long delta = store(c, current, next);
                      committed(c, List.of(next), delta);
                      return next;
                    }));
    notifyAppend();
    return change;
  }

  // ---- the replication API ----

  public String historyId() {
    return historyId;
  }

  public long position() {
    return position;
  }

  public long checksum() {
    return checksum;
  }

  /** The position and the checksum there, read together. */
  public record LogHead(long position, long checksum) {}

  public LogHead head() throws StateStoreException {
    return db.withConnection(c -> new LogHead(position, checksum));
  }

  /** The position before the oldest change still in the log. */
  public long logBase() {
    return logBase;
  }

  public String nodeId() {
    return nodeId;
  }

  /** Where this log ends (history, epoch of its last change, position). */
  public LogPoint logPoint() throws StateStoreException {
    return db.withConnection(c -> new LogPoint(historyId, epochAt(c, position), position));
  }

  /** The epoch of the change at {@code seq}, or -1 when the log no longer (or never) held it. */
  public long epochAt(long seq) throws StateStoreException {
    return db.withConnection(c -> epochAt(c, seq));
  }

  private long epochAt(Connection c, long seq) throws SQLException {
    if (seq == logBase) {
      return logBaseEpoch;
    }
    try (PreparedStatement st = c.prepareStatement("SELECT epoch FROM changes WHERE seq = ?")) {
      st.setLong(1, seq);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  /**
   * Up to where a replica's log agrees with this one: its whole log if this log has its last
   * change; otherwise the end of the replica's last epoch here (anything the replica has after that
   * was written by a primary this log never heard of). Empty if this log cannot tell (the point
   * lies before the retained log, or the history differs): the replica needs a snapshot.
   */
  public Optional<Long> agreementWith(LogPoint replica) throws StateStoreException {
    if (!replica.historyId().equals(historyId)) {
      return Optional.empty();
    }
    return db.withConnection(
        c -> {
          if (replica.position() <= position && epochAt(c, replica.position()) == replica.epoch()) {
            return Optional.of(replica.position());
          }
          long end = position;
          try (PreparedStatement st =
              c.prepareStatement("SELECT MIN(seq) FROM changes WHERE epoch > ?")) {
            st.setLong(1, replica.epoch());
            try (ResultSet rs = st.executeQuery()) {
              if (rs.next() && rs.getObject(1) != null) {
                end = rs.getLong(1) - 1;
              }
            }
          }
          long agreed = Math.min(end, replica.position());
          return agreed < logBase ? Optional.<Long>empty() : Optional.of(agreed);
        });
  }

  /** Up to {@code limit} changes after {@code after}; empty if they are no longer in the log. */
  public Optional<List<Change>> changesAfter(long after, int limit) throws StateStoreException {
    return db.withConnection(
        c -> {
          if (after < logBase) {
            return Optional.empty();
          }
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT seq, epoch, bucket, key, value, version, hlc, origin,"
                      + " expires_ms FROM changes WHERE seq > ? ORDER BY seq LIMIT ?")) {
            st.setLong(1, after);
            st.setInt(2, limit);
            List<Change> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new Change(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getBytes(5),
                        rs.getLong(6),
                        new Hlc(rs.getLong(7)),
                        rs.getString(8),
                        rs.getLong(9)));
              }
            }
            return Optional.of(out);
          }
        });
  }

  /**
   * Applies a batch received from the primary: all of it in one transaction, or none of it. The
   * batch must continue this log exactly (first seq = position + 1, no gaps).
   */
  public void apply(List<Change> batch) throws StateStoreException, LogGapException {
    if (batch.isEmpty()) {
      return;
    }
    refuseFuture(batch);
    long expected = position + 1;
    for (Change change : batch) {
      if (change.seq() != expected++) {
        throw new LogGapException(
            "batch starts at "
                + batch.get(0).seq()
                + " but this log is at "
                + position
                + " (or has a gap at "
                + change.seq()
                + ")");
      }
    }
    db.withConnection(
        c ->
            inTransaction(
                c,
                () -> {
                  long delta = 0;
                  for (Change change : batch) {
                    delta ^= store(c, current(c, change.bucket(), change.key()), change);
                    hlc.observe(change.hlc());
                  }
                  committed(c, batch, delta);
                  return null;
                }));
    notifyAppend();
  }

  /** Refuses, before anything is stored, a batch with a change stamped too far in the future. */
  private void refuseFuture(List<Change> changes) throws StateStoreException {
    for (Change change : changes) {
      Optional<String> problem = hlc.tooFarAhead(change.hlc());
      if (problem.isPresent()) {
        throw new StateStoreException(
            "refusing "
                + change.bucket()
                + "/"
                + change.key()
                + " from "
                + change.origin()
                + " and the rest of its batch: "
                + problem.get(),
            null);
      }
    }
  }

  /**
   * Merges writes another node made while it was cut off (a split brain): per key the later write
   * by (HLC, origin) wins. A winning foreign write is re-logged here at a new position so every
   * replica gets it; a losing one is kept in the conflicts table. Nothing is dropped.
   */
  public MergeOutcome merge(List<Change> foreign) throws StateStoreException {
    refuseFuture(foreign);
    long now = wall.millis();
    MergeOutcome outcome =
        db.withConnection(
            c ->
                inTransaction(
                    c,
                    () -> {
                      int applied = 0;
                      int conflicts = 0;
                      int present = 0;
                      long delta = 0;
                      List<Change> logged = new ArrayList<>();
                      for (Change theirs : foreign) {
                        hlc.observe(theirs.hlc());
                        Optional<Change> mine = current(c, theirs.bucket(), theirs.key());
                        if (mine.isPresent()
                            && mine.get().hlc().equals(theirs.hlc())
                            && mine.get().origin().equals(theirs.origin())) {
                          present++;
                          continue;
                        }
                        boolean theyWin = mine.isEmpty() || later(theirs, mine.get());
                        if (theyWin) {
                          Change relogged =
                              theirs.at(
                                  position + logged.size() + 1,
                                  writeEpoch,
                                  mine.map(Change::version).orElse(0L) + 1);
                          delta ^= store(c, mine, relogged);
                          logged.add(relogged);
                          applied++;
                          if (mine.isPresent()) {
                            recordConflict(c, now, relogged, mine.get());
                            conflicts++;
                          }
                        } else {
                          recordConflict(c, now, mine.get(), theirs);
                          conflicts++;
                        }
                      }
                      committed(c, logged, delta);
                      return new MergeOutcome(applied, conflicts, present);
                    }));
    notifyAppend();
    return outcome;
  }

  private static boolean later(Change a, Change b) {
    int byClock = a.hlc().compareTo(b.hlc());
    return byClock != 0 ? byClock > 0 : a.origin().compareTo(b.origin()) > 0;
  }

  private static void recordConflict(Connection c, long now, Change winner, Change loser)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO conflicts(time_ms, bucket, key, winner_hlc,"
                + " winner_origin, loser_hlc, loser_origin, loser_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      st.setLong(1, now);
      st.setString(2, winner.bucket());
      st.setString(3, winner.key());
      st.setLong(4, winner.hlc().value());
      st.setString(5, winner.origin());
      st.setLong(6, loser.hlc().value());
      st.setString(7, loser.origin());
      st.setBytes(8, loser.value());
      st.executeUpdate();
    }
  }

  /** The newest conflicts, newest first. */
  public List<Conflict> conflicts(int limit) throws StateStoreException {
    return db.withConnection(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT id, time_ms, bucket, key, winner_hlc, winner_origin,"
                      + " loser_hlc, loser_origin, loser_value FROM conflicts ORDER BY id DESC LIMIT ?")) {
            st.setInt(1, limit);
            List<Conflict> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new Conflict(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        new Hlc(rs.getLong(5)),
                        rs.getString(6),
                        new Hlc(rs.getLong(7)),
                        rs.getString(8),
                        rs.getBytes(9)));
              }
            }
            return out;
          }
        });
  }

  public long conflictCount() throws StateStoreException {
    return db.withConnection(
        c -> {
          try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM conflicts")) {
            try (ResultSet rs = st.executeQuery()) {
              return rs.next() ? rs.getLong(1) : 0L;
            }
          }
        });
  }

  // ---- snapshots ----

  /** Reads a consistent snapshot of this store while writes go on. */
  public SnapshotSource snapshot() throws StateStoreException {
    return SnapshotSource.open(db, historyId);
  }

  /**
   * Starts receiving a snapshot; nothing changes here until {@link SnapshotSink#finish} succeeds.
   */
  public SnapshotSink receiveSnapshot() throws StateStoreException {
    return SnapshotSink.begin(db, this);
  }

  /**
   * Called by a finished {@link SnapshotSink} inside its transaction: the log now starts at the
   * snapshot.
   */
  void recordSnapshotBase(Connection c, String newHistoryId, long newPosition, long newEpoch)
      throws SQLException {
    NodeMetaRows meta = new NodeMetaRows(c);
    meta.put(HISTORY_ID, newHistoryId);
    meta.put(LOG_BASE, Long.toString(newPosition));
    meta.put(LOG_BASE_EPOCH, Long.toString(newEpoch));
  }

  /** Called by a finished {@link SnapshotSink} once its transaction committed. */
  void adoptSnapshot(
      String newHistoryId, long newPosition, long newEpoch, long newChecksum, long maxHlc)
      throws StateStoreException {
    db.withConnection(
        c -> {
          historyId = newHistoryId;
          logBase = newPosition;
          logBaseEpoch = newEpoch;
          position = newPosition;
          checksum = newChecksum;
          return null;
        });
    hlc.observe(new Hlc(maxHlc));
  }

  /** Runs {@code work} under the database lock (a sink swapping its staged rows in). */
  <T> T locked(StateDatabase.SqlWork<T> work) throws StateStoreException {
    return db.withConnection(c -> inTransaction(c, () -> work.run(c)));
  }

  // ---- rows ----

  private Optional<Change> current(Connection c, String bucket, String key) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT value, version, hlc, origin, expires_ms FROM entries WHERE bucket = ? AND key = ?")) {
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
  }

  /** Writes the entry and its log record; returns the checksum delta. */
  private static long store(Connection c, Optional<Change> current, Change next)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT OR REPLACE INTO entries(bucket, key, value, version, hlc,"
                + " origin, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      st.setString(1, next.bucket());
      st.setString(2, next.key());
      st.setBytes(3, next.value());
      st.setLong(4, next.version());
      st.setLong(5, next.hlc().value());
      st.setString(6, next.origin());
      st.setLong(7, next.expiresAtMillis());
      st.executeUpdate();
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO changes(seq, epoch, bucket, key, value, version, hlc,"
                + " origin, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      st.setLong(1, next.seq());
      st.setLong(2, next.epoch());
      st.setString(3, next.bucket());
      st.setString(4, next.key());
      st.setBytes(5, next.value());
      st.setLong(6, next.version());
      st.setLong(7, next.hlc().value());
      st.setString(8, next.origin());
      st.setLong(9, next.expiresAtMillis());
      st.executeUpdate();
    }
    return digestOf(current) ^ digestOf(Optional.of(next));
  }

  private static long digestOf(Optional<Change> row) {
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

  /** Trims the log inside the writing transaction; the fields move only after commit. */
  private void committed(Connection c, List<Change> appended, long delta) throws SQLException {
    if (appended.isEmpty()) {
      return;
    }
    long newPosition = appended.get(appended.size() - 1).seq();
    long newBase = logBase;
    long newBaseEpoch = logBaseEpoch;
    sinceBytesCheck += appended.size();
    long keepFrom = newPosition - retention.maxChanges();
    if (sinceBytesCheck >= BYTES_CHECK_EVERY) {
      sinceBytesCheck = 0;
      keepFrom = Math.max(keepFrom, byteBoundedBase(c, newPosition));
    }
    if (keepFrom > newBase) {
      try (PreparedStatement st = c.prepareStatement("SELECT epoch FROM changes WHERE seq = ?")) {
        st.setLong(1, keepFrom);
        try (ResultSet rs = st.executeQuery()) {
          newBaseEpoch = rs.next() ? rs.getLong(1) : newBaseEpoch;
        }
      }
      try (PreparedStatement st = c.prepareStatement("DELETE FROM changes WHERE seq <= ?")) {
        st.setLong(1, keepFrom);
        st.executeUpdate();
      }
      NodeMetaRows meta = new NodeMetaRows(c);
      meta.put(LOG_BASE, Long.toString(keepFrom));
      meta.put(LOG_BASE_EPOCH, Long.toString(newBaseEpoch));
      newBase = keepFrom;
    }
    c.commit();
    logBase = newBase;
    logBaseEpoch = newBaseEpoch;
    position = newPosition;
    checksum ^= delta;
  }

  /** The base that keeps the log's newest changes within {@code maxBytes}. */
  private long byteBoundedBase(Connection c, long newPosition) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT seq, SUM(LENGTH(key) + IFNULL(LENGTH(value), 0) + 64)"
                + " OVER (ORDER BY seq DESC) AS tail FROM changes ORDER BY seq DESC")) {
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          if (rs.getLong(2) > retention.maxBytes()) {
            return rs.getLong(1);
          }
        }
      }
    }
    return logBase;
  }

  /** Work inside a transaction on a connection the caller already holds. */
  @FunctionalInterface
  private interface TxWork<T> {
    T run() throws SQLException;
  }

  private static <T> T inTransaction(Connection c, TxWork<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run();
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private void notifyAppend() {
    long at = position;
    for (LongConsumer listener : appendListeners) {
      listener.accept(at);
    }
  }

  private static Entry entry(ResultSet rs) throws SQLException {
    return new Entry(
        rs.getString(1),
        rs.getString(2),
        rs.getBytes(3),
        rs.getLong(4),
        new Hlc(rs.getLong(5)),
        rs.getString(6),
        rs.getLong(7));
  }

  private static long parseLong(String text) {
    return text == null ? 0 : Long.parseLong(text);
  }

  private static void requireName(String what, String name) {
    if (name == null || name.isEmpty() || name.length() > 256) {
      throw new IllegalArgumentException(what + " must be 1 to 256 characters");
    }
  }
}
