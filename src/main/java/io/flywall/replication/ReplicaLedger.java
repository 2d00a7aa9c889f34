package io.flywall.replication;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's book of its replicas: what each acknowledged and when, the commit time of recent
 * log positions (for lag), and the sync-mode wait for an acknowledgement, which degrades to async
 * after {@code syncTimeout} and says so.
 */
final class ReplicaLedger {
  private static final Logger log = LoggerFactory.getLogger(ReplicaLedger.class);
  private static final int TIMES = 1 << 16;

  private final Clock clock;
  private final ReplicationStats stats;
  private final Map<String, Progress> replicas = new ConcurrentHashMap<>();
  private final long[] appendSeq = new long[TIMES];
  private final long[] appendMicros = new long[TIMES];
  private boolean degraded;
  private long bestAck;
  private long term;
  private final AtomicLong sessions = new AtomicLong();

  ReplicaLedger(Clock clock, ReplicationStats stats) {
    this.clock = clock;
    this.stats = stats;
  }

  /**
   * One replica as status shows it, and the stream ({@code session}, from {@link #connected}) that
   * reports it.
   */
  record Progress(
      String nodeId,
      String address,
      String state,
      long sentPosition,
      long ackedPosition,
      long ackedChecksum,
      Instant lastAck,
      long session) {}

  /** The store committed changes up to {@code position}. */
  synchronized void appended(long from, long position) {
    long now = micros();
    for (long seq = Math.max(from, position - TIMES + 1); seq <= position; seq++) {
      appendSeq[(int) (seq % TIMES)] = seq;
      appendMicros[(int) (seq % TIMES)] = now;
    }
  }

  /**
   * A stream from replica {@code nodeId} began; it reports that replica from now on. Returns the
   * stream's session, which its later reports pass: a replica that reconnects starts a new stream
   * while the old one may still be ending, and what the old one says then is no longer the
   * replica's state.
   */
  long connected(String nodeId, String address, long position) {
    long session = sessions.incrementAndGet();
    replicas.put(
        nodeId,
        new Progress(
            nodeId, address, "negotiating", position, position, 0, clock.instant(), session));
    return session;
  }

  /** The stream {@code session} of replica {@code nodeId} is in {@code state}, sent up to there. */
  void state(String nodeId, long session, String state, long sentPosition) {
    report(nodeId, session, state, OptionalLong.of(sentPosition));
  }

  /** The stream {@code session} of replica {@code nodeId} ended. */
  void disconnected(String nodeId, long session) {
    report(nodeId, session, "disconnected", OptionalLong.empty());
  }

  private void report(String nodeId, long session, String state, OptionalLong sentPosition) {
    replicas.computeIfPresent(
        nodeId,
        (id, p) ->
            p.session() != session
                ? p
                : new Progress(
                    id,
                    p.address(),
                    state,
                    sentPosition.orElse(p.sentPosition()),
                    p.ackedPosition(),
                    p.ackedChecksum(),
                    p.lastAck(),
                    session));
  }

  /**
   * A new history for the acknowledgements: this node became primary (a new epoch, or after it was
   * a replica, which may have adopted a snapshot or had its writes merged away). Positions
   * acknowledged before belong to another log; counting them would let a sync-mode write report
   * {@code replicated} with no replica holding it. Acks of streams from an earlier term are
   * ignored.
   *
   * @return the term the streams started from now on pass to {@link #acked}
   */
  synchronized long newTerm() {
    term++;
    bestAck = 0;
    degraded = false;
    replicas.clear();
    return term;
  }

  /** A replica acknowledged {@code position}: record lag samples, wake sync-mode writers. */
  synchronized void acked(long streamTerm, String nodeId, long position, long checksum) {
    if (streamTerm != term) {
      return;
    }
    Progress before = replicas.get(nodeId);
    long previous = before == null ? 0 : before.ackedPosition();
    long now = micros();
    for (long seq = Math.max(previous + 1, position - TIMES + 1); seq <= position; seq++) {
      int slot = (int) (seq % TIMES);
      if (appendSeq[slot] == seq) {
        stats.lag(now - appendMicros[slot]);
      }
    }
    if (before != null) {
      replicas.put(
          nodeId,
          new Progress(
              nodeId,
              before.address(),
              before.state(),
              Math.max(before.sentPosition(), position),
              position,
              checksum,
              clock.instant(),
              before.session()));
    }
    if (position > bestAck) {
      bestAck = position;
    }
    notifyAll();
  }

  /**
   * In sync mode: waits until some replica acknowledged {@code position}. Returns false if none did
   * within {@code timeout}; replication is then degraded to async (logged once) until a replica
   * catches up with the log again.
   */
  synchronized boolean awaitAck(long position, Duration timeout) throws InterruptedException {
    if (degraded) {
      if (bestAck >= position - 1) {
        degraded = false;
        log.info("sync_mode: a replica caught up; writes wait for acknowledgement again");
      } else {
        return false;
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (bestAck < position) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        degraded = true;
        stats.syncTimeouts.incrementAndGet();
        log.warn(
            "sync_mode: no replica acknowledged position {} within {} ms; continuing asynchronously"
                + " until a replica catches up",
            position,
            timeout.toMillis());
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized boolean degraded() {
    return degraded;
  }

  /** Lag in milliseconds of a replica at {@code acked} behind a log at {@code head}. */
  synchronized long lagMillis(long acked, long head) {
    if (acked >= head) {
      return 0;
    }
    int slot = (int) ((acked + 1) % TIMES);
    if (appendSeq[slot] != acked + 1) {
      return -1;
    }
    return Math.max(0, (micros() - appendMicros[slot]) / 1000);
  }

  List<Progress> replicas() {
    return new ArrayList<>(replicas.values());
  }

  private long micros() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }
}
