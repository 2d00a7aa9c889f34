package io.flywall.state;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The replicated key-value store: buckets of keys with versions, HLC timestamps, origin and expiry,
 * and a change log written in the same transaction as every entry. The services that own data
 * (DHCP, DNS, learning) call {@link #put}, {@link #delete} and {@link #write}; replication calls
 * {@link #apply}, {@link #merge}, the log readers and the {@link #feed}. Writes are accepted only
 * while this node is the primary, and concurrent writers share transactions ({@link GroupCommit}).
 *
 * <p>The parts: {@link WriteGate} (who may write), {@link EntryRows} (the entries), {@link
 * ChangeLog} (the log and its retention), {@link SplitBrainMerge} and {@link ConflictLog} (merges),
 * {@link ChangeFeed} (recent changes in memory), {@link SnapshotSource} and {@link SnapshotSink}.
 */
public final class StateStore {
  /**
   * Changes the feed keeps in memory, and about how many bytes of them at most: 40 ms of writes at
   * 100,000 changes/s, enough for a sender that keeps up (one behind that reads the log). Small on
   * purpose: the daemon's young generation is 32 MiB, and changes held longer than a few young
   * collections are promoted and later freed by full collections. With 65,536 changes (32 MiB) the
   * lab's primary, under POST /api/state at 54,000 changes/s, paused 61-137 ms in a full collection
   * every 4 s, longer than a 25 ms x 3 failure_timeout; with 4,096 it ran no full collection, its
   * young pauses 3-5 ms (ReplicationLabBench, 2026-11-30).
   */
  static final int FEED_CHANGES = 4_096;

  static final long FEED_BYTES = 4L * 1024 * 1024;

  /**
   * Changes are logged, and their entries copied from the log rows, this many at a time: the log
   * rows are still in SQLite's page cache when they are read back. A large transaction (a replica
   * catching up applies up to 50,000 changes in one) dirties more pages than the cache holds, and
   * copying after the whole log was written cost more CPU per change than binding every column.
   */
  private static final int COPIED_SLICE = 1024;

  /** The expiry sweep deletes at most this many entries per run. */
  private static final int SWEEP_LIMIT = 10_000;

  private final StateDatabase db;
  private final String nodeId;
  private final Clock wall;
  private final HybridClock hlc;
  private final WriteGate gate;
  private final EntryRows entries;
  private final ChangeLog log;
  private final NodeMetaRows meta;
  private final ConflictLog conflicts;
  private final SplitBrainMerge merger;
  private final GroupCommit commits;
  private final ChangeFeed feed;
  private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * Where the store stands, replaced as a whole after each commit while the connection is held:
   * readers holding the connection see it agree with the rows, others read it without a lock.
   */
  private record Head(String historyId, ChangeLog.Extent log, long checksum) {}

  private volatile Head head;

  /** Told of every committed range of the log (local writes, apply, merge), in log order. */
  @FunctionalInterface
  public interface CommitListener {
    void committed(long first, long last);
  }

  private StateStore(StateDatabase db, String nodeId, Clock wall, LogRetention retention) {
    this.db = db;
    this.nodeId = nodeId;
    this.wall = wall;
    this.hlc = new HybridClock(wall);
    this.gate = new WriteGate(nodeId);
    this.entries = new EntryRows(db);
    this.log = new ChangeLog(db, retention);
    this.meta = new NodeMetaRows(db);
    this.conflicts = new ConflictLog(db, entries);
    this.merger = new SplitBrainMerge(entries, hlc, nodeId);
    this.commits = new GroupCommit(this::commitLocal);
    this.feed = new ChangeFeed(FEED_CHANGES, FEED_BYTES, 0);
  }

  /**
   * Opens the store in {@code db}: reads where the log stands and its checksum (computed over all
   * entries once if this database has not recorded it yet). A new store starts a new history, named
   * after this node and the time.
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
          String id = meta.get(NodeMetaRows.HISTORY_ID);
          if (id == null) {
            id = nodeId + "-" + wall.millis();
            meta.put(NodeMetaRows.HISTORY_ID, id);
          }
          ChangeLog.Extent extent = log.load(meta);
          long checksum;
          if (meta.getLong(NodeMetaRows.CHECKSUM_AT, -1) == extent.position()
              && meta.get(NodeMetaRows.CHECKSUM) != null) {
            checksum = meta.getLong(NodeMetaRows.CHECKSUM, 0);
            hlc.observe(new Hlc(entries.maxHlc()));
          } else {
            // Written by a version that did not record it: compute it once and record it.
            long[] computed = entries.checksumAndMaxHlc();
            checksum = computed[0];
            hlc.observe(new Hlc(computed[1]));
            meta.put(NodeMetaRows.CHECKSUM, checksum);
            meta.put(NodeMetaRows.CHECKSUM_AT, extent.position());
          }
          head = new Head(id, extent, checksum);
          return null;
        });
    feed.reset(head.log().position());
  }

  // ---- who may write ----

  /** This node became primary for {@code epoch}: local writes are accepted and logged under it. */
  public void acceptWrites(long epoch) {
    gate.open(epoch);
  }

  /** This node is not the primary: writes are refused, naming {@code primary} when known. */
  public void refuseWrites(Optional<String> primary) {
    gate.close(primary);
  }

  public boolean writable() {
    return gate.isOpen();
  }

  public void onCommit(CommitListener listener) {
    listeners.add(listener);
  }

  // ---- the services' API ----

  /**
   * Writes {@code value} under {@code bucket/key}; with a ttl (1 ms to 10 years) the entry
   * disappears everywhere after it.
   */
  public Change put(String bucket, String key, byte[] value, Optional<Duration> ttl)
      throws NotPrimaryException, StateStoreException {
    return write(List.of(WriteOp.put(bucket, key, value, ttl))).changes().get(0);
  }

  /** Deletes {@code bucket/key}; empty if there was nothing to delete. */
  public Optional<Change> delete(String bucket, String key)
      throws NotPrimaryException, StateStoreException {
    List<Change> written = write(List.of(WriteOp.delete(bucket, key))).changes();
    return written.isEmpty() ? Optional.empty() : Optional.of(written.get(0));
  }

  /** What a write committed: its changes (a delete of an absent key writes none), and where. */
  public record Committed(List<Change> changes, long position) {}

  /**
   * Writes {@code ops} all in one transaction, or none of them. A delete of a key without a live
   * value writes nothing.
   */
  public Committed write(List<WriteOp> ops) throws NotPrimaryException, StateStoreException {
    for (WriteOp op : ops) {
      op.requireClientBucket();
    }
    gate.epoch();
    List<Change> changes = commits.submit(List.copyOf(ops));
    long at = changes.isEmpty() ? position() : changes.get(changes.size() - 1).seq();
    return new Committed(changes, at);
  }

  /** The live value of {@code bucket/key}: not deleted and not expired. */
  public Optional<Entry> get(String bucket, String key) throws StateStoreException {
    long now = wall.millis();
    return db.withConnection(c -> entries.live(bucket, key, now));
  }

  /** The live entries of {@code bucket} in key order, at most {@code limit}. */
  public List<Entry> list(String bucket, int limit) throws StateStoreException {
    long now = wall.millis();
    return db.withConnection(c -> entries.list(bucket, now, limit, false));
  }

  /**
   * Deletes every entry whose expiry has passed, as ordinary logged deletes, so replicas drop them
   * at the same log position and checksums stay equal. Only the primary sweeps.
   */
  public int expireDue() throws StateStoreException {
    if (!gate.isOpen()) {
      return 0;
    }
    long now = wall.millis();
    List<String[]> due = db.withConnection(c -> entries.due(now, SWEEP_LIMIT));
    if (due.isEmpty()) {
      return 0;
    }
    List<WriteOp> ops = new ArrayList<>(due.size());
    for (String[] k : due) {
      ops.add(WriteOp.expire(k[0], k[1]));
    }
    try {
      return commits.submit(ops).size();
    } catch (NotPrimaryException e) {
      return 0;
    }
  }

  /** The group commit's transaction: every queued request, in order, in one transaction. */
  private List<List<Change>> commitLocal(List<List<WriteOp>> requests)
      throws StateStoreException, NotPrimaryException {
    long epoch = gate.epoch();
    long now = wall.millis();
    List<List<Change>> perRequest = new ArrayList<>(requests.size());
    List<Change> all = new ArrayList<>();
    db.withConnection(
        c ->
            db.inTransaction(
                () -> {
                  TouchedRows rows = TouchedRows.read(entries, keysOf(requests));
                  long seq = head.log().position();
                  for (List<WriteOp> ops : requests) {
                    List<Change> mine = new ArrayList<>(ops.size());
                    for (WriteOp op : ops) {
                      Optional<EntryRows.Stored> current = rows.current(op.bucket(), op.key());
                      if (!applies(op, current, now)) {
                        continue;
                      }
                      boolean put = op.kind() == WriteOp.Kind.PUT;
                      Change next =
                          new Change(
                              ++seq,
                              epoch,
                              op.bucket(),
                              op.key(),
                              put ? op.value() : null,
                              current.map(EntryRows.Stored::version).orElse(0L) + 1,
                              hlc.now(),
                              nodeId,
                              put && op.ttlMillis() > 0 ? now + op.ttlMillis() : 0);
                      rows.set(next);
                      mine.add(next);
                      all.add(next);
                    }
                    perRequest.add(mine);
                  }
                  append(all, rows, head.historyId());
                  return null;
                }));
    published(all);
    return perRequest;
  }

  private static Set<EntryRows.Key> keysOf(List<List<WriteOp>> requests) {
    int count = 0;
    for (List<WriteOp> request : requests) {
      count += request.size();
    }
    Set<EntryRows.Key> keys = new HashSet<>(count * 4 / 3 + 1);
    for (List<WriteOp> ops : requests) {
      for (WriteOp op : ops) {
        keys.add(new EntryRows.Key(op.bucket(), op.key()));
      }
    }
    return keys;
  }

  /** Whether {@code op} changes anything, given the key's current row. */
  private static boolean applies(WriteOp op, Optional<EntryRows.Stored> current, long now) {
    boolean hasValue = current.isPresent() && !current.get().deleted();
    long expires = current.map(EntryRows.Stored::expiresAtMillis).orElse(0L);
    return switch (op.kind()) {
      case PUT -> true;
      case DELETE -> hasValue && (expires == 0 || expires > now);
      case EXPIRE -> hasValue && expires > 0 && expires <= now;
    };
  }

  // ---- the replication API ----

  public String historyId() {
    return head.historyId();
  }

  public long position() {
    return head.log().position();
  }

  public long checksum() {
    return head.checksum();
  }

  /** The position and the checksum there, read together. */
  public record LogHead(long position, long checksum) {}

  public LogHead head() {
    Head h = head;
    return new LogHead(h.log().position(), h.checksum());
  }

  /** The position before the oldest change still in the log. */
  public long logBase() {
    return head.log().base();
  }

  public String nodeId() {
    return nodeId;
  }

  /** Recently committed changes, in memory, for the replication sender. */
  public ChangeFeed feed() {
    return feed;
  }

  /** Where this log ends (history, epoch of its last change, position). */
  public LogPoint logPoint() throws StateStoreException {
    return db.withConnection(
        c -> {
          Head h = head;
          return new LogPoint(
              h.historyId(), log.epochAt(h.log(), h.log().position()), h.log().position());
        });
  }

  /**
   * Up to where a replica's log agrees with this one: its whole log if this log has its last
   * change; otherwise the end of the replica's last epoch here (anything the replica has after that
   * was written by a primary this log never heard of). Empty if this log cannot tell (the point
   * lies before the retained log, or the history differs): the replica needs a snapshot.
   */
  public Optional<Long> agreementWith(LogPoint replica) throws StateStoreException {
    return db.withConnection(
        c -> {
          Head h = head;
          if (!replica.historyId().equals(h.historyId())) {
            return Optional.<Long>empty();
          }
          long position = h.log().position();
          if (replica.position() <= position
              && log.epochAt(h.log(), replica.position()) == replica.epoch()) {
            return Optional.of(replica.position());
          }
          Optional<Long> after = log.firstFromEpoch(replica.epoch() + 1);
          long end = after.map(seq -> seq - 1).orElse(position);
          if (after.isEmpty()
              && replica.position() > position
              && log.epochAt(h.log(), position) == replica.epoch()) {
            // The replica went on past this log's end at the epoch of its last change: two
            // primaries wrote at that epoch, and the logs may part anywhere in it.
            end = log.firstFromEpoch(replica.epoch()).map(seq -> seq - 1).orElse(position);
          }
          long agreed = Math.min(end, replica.position());
          return agreed < h.log().base() ? Optional.<Long>empty() : Optional.of(agreed);
        });
  }

  /** Up to {@code limit} changes after {@code after}; empty if they are no longer in the log. */
  public Optional<List<Change>> changesAfter(long after, int limit) throws StateStoreException {
    return changesAfter(after, limit, Long.MAX_VALUE);
  }

  /**
   * Changes after {@code after}, at most {@code limit} and about {@code maxBytes} by {@link
   * Change#sizeBound} (at least one); empty if they are no longer in the log.
   */
  public Optional<List<Change>> changesAfter(long after, int limit, long maxBytes)
      throws StateStoreException {
    return db.withConnection(c -> log.after(head.log(), after, limit, maxBytes));
  }

  /**
   * Applies changes received from the primary: all of them in one transaction, or none. They must
   * continue this log exactly (first seq = position + 1, no gaps).
   */
  public void apply(List<Change> batch) throws StateStoreException, LogGapException {
    if (batch.isEmpty()) {
      return;
    }
    refuseFuture(batch);
    commits.exclusive(
        () -> {
          long expected = position() + 1;
          for (Change change : batch) {
            if (change.seq() != expected++) {
              throw new LogGapException(
                  "batch starts at "
                      + batch.get(0).seq()
                      + " but this log is at "
                      + position()
                      + " (or has a gap at "
                      + change.seq()
                      + ")");
            }
          }
          db.withConnection(
              c ->
                  db.inTransaction(
                      () -> {
                        Set<EntryRows.Key> keys = new HashSet<>(batch.size() * 4 / 3 + 1);
                        for (Change change : batch) {
                          keys.add(EntryRows.Key.of(change));
                        }
                        TouchedRows rows = TouchedRows.read(entries, keys);
                        for (Change change : batch) {
                          rows.set(change);
                          hlc.observe(change.hlc());
                        }
                        append(batch, rows, head.historyId());
                        return null;
                      }));
          published(batch);
          return null;
        });
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
   * Merges writes another node made while it was cut off (a split brain); see {@link
   * SplitBrainMerge}. The winners and the conflicts are logged here, so every replica gets them.
   */
  public MergeOutcome merge(List<Change> foreign) throws StateStoreException {
    refuseFuture(foreign);
    long now = wall.millis();
    return commits.exclusive(
        () -> {
          SplitBrainMerge.Result result =
              db.withConnection(
                  c ->
                      db.inTransaction(
                          () -> {
                            SplitBrainMerge.Result r =
                                merger.merge(foreign, position(), gate.lastEpoch(), now);
                            append(r.logged(), r.delta(), head.historyId());
                            return r;
                          }));
          published(result.logged());
          return result.outcome();
        });
  }

  /** The newest conflicts recorded by merges, newest first. */
  public List<Conflict> conflicts(int limit) throws StateStoreException {
    return db.withConnection(c -> conflicts.newest(limit));
  }

  public long conflictCount() throws StateStoreException {
    return db.withConnection(c -> conflicts.count());
  }

  // ---- snapshots ----

  /** Reads a consistent snapshot of this store while writes go on. */
  /**
   * A reader of the log on a connection of its own, which does not wait for commits (for a sender
   * catching up); the caller closes it.
   */
  public LogReader logReader() throws StateStoreException {
    return LogReader.open(this, db);
  }

  public SnapshotSource snapshot() throws StateStoreException {
    return SnapshotSource.open(db, head.historyId());
  }

  /**
   * Starts receiving a snapshot; nothing changes here until {@link SnapshotSink#finish} succeeds.
   */
  public SnapshotSink receiveSnapshot() throws StateStoreException {
    return SnapshotSink.begin(db, this);
  }

  /**
   * Called by a complete {@link SnapshotSink}: its staged table becomes the entries (a rename, not
   * a copy) and the log restarts at the snapshot's position, in one transaction.
   */
  void adoptSnapshot(SnapshotHeader header, long newChecksum, long maxHlc)
      throws StateStoreException {
    commits.exclusive(
        () -> {
          db.withConnection(
              c ->
                  db.inTransaction(
                      () -> {
                        SnapshotSink.swapIn(c);
                        meta.put(NodeMetaRows.HISTORY_ID, header.historyId());
                        ChangeLog.Extent extent =
                            log.restart(header.position(), header.epoch(), meta);
                        meta.put(NodeMetaRows.CHECKSUM, newChecksum);
                        meta.put(NodeMetaRows.CHECKSUM_AT, extent.position());
                        head = new Head(header.historyId(), extent, newChecksum);
                        return null;
                      }));
          hlc.observe(new Hlc(maxHlc));
          feed.reset(header.position());
          return null;
        });
  }

  // ---- committing ----

  /**
   * Inside the writing transaction: logs {@code appended} and writes the entries they leave in
   * {@code rows} (copied from their log rows, so before the log is trimmed), then as {@link
   * #append(List, long, String)}.
   */
  private void append(List<Change> appended, TouchedRows rows, String historyId)
      throws SQLException {
    if (appended.isEmpty()) {
      return;
    }
    ChangeLog.Extent extent = head.log();
    for (int from = 0; from < appended.size(); from += COPIED_SLICE) {
      List<Change> slice = appended.subList(from, Math.min(appended.size(), from + COPIED_SLICE));
      extent = log.append(extent, slice);
      rows.writeBack(entries, slice.get(slice.size() - 1).seq());
    }
    finish(extent, rows.delta(), historyId);
  }

  /**
   * Inside the writing transaction, the entries already written: logs {@code appended}, trims the
   * log, records the checksum, commits, and moves the head. The caller holds the connection and the
   * commit lock.
   */
  private void append(List<Change> appended, long delta, String historyId) throws SQLException {
    if (appended.isEmpty()) {
      return;
    }
    finish(log.append(head.log(), appended), delta, historyId);
  }

  private void finish(ChangeLog.Extent appended, long delta, String historyId) throws SQLException {
    Head before = head;
    ChangeLog.Extent extent = log.trim(appended, meta);
    long checksum = before.checksum() ^ delta;
    meta.put(NodeMetaRows.CHECKSUM, checksum);
    meta.put(NodeMetaRows.CHECKSUM_AT, extent.position());
    db.commit();
    head = new Head(historyId, extent, checksum);
  }

  /** After a commit: the feed and the listeners learn of it, in log order. */
  private void published(List<Change> changes) {
    if (changes.isEmpty()) {
      return;
    }
    feed.published(changes);
    long first = changes.get(0).seq();
    long last = changes.get(changes.size() - 1).seq();
    for (CommitListener listener : listeners) {
      listener.committed(first, last);
    }
  }
}
