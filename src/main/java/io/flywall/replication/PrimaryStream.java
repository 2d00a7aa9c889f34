package io.flywall.replication;

import io.flywall.state.Change;
import io.flywall.state.ChangeFeed;
import io.flywall.state.LogPoint;
import io.flywall.state.LogReader;
import io.flywall.state.MergeOutcome;
import io.flywall.state.SnapshotSource;
import io.flywall.state.StateStore;
import io.flywall.state.StateStoreException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of one replica's stream: negotiate where the replica stands (continue, merge
 * its divergent writes, or snapshot), then send the log as it grows in large batches read from the
 * store's in-memory feed, a position beat only when no data flows, and pushed files; a second
 * thread reads the replica's cumulative acks. An error ends this stream (raised as an alarm); the
 * replica reconnects with backoff and resumes from what it committed. A replica that acknowledges
 * nothing for {@link #ackSilenceLimit} (frozen, powered off, cut off without a reset) is dropped:
 * otherwise this session would wait in a write to a full socket for ever. The same limit bounds a
 * single write, watched by a third thread: during a snapshot or a merge no ack is due, and a
 * replica that froze there would otherwise hold this session in a write for ever.
 */
final class PrimaryStream implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(PrimaryStream.class);
  private static final Duration FILE_CHECK = Duration.ofSeconds(1);

  /**
   * Shortest ack silence after which a replica's stream is dropped: long enough for a replica
   * applying a large transaction or installing a large snapshot on a busy machine.
   */
  static final Duration MIN_ACK_SILENCE = Duration.ofSeconds(5);

  /** Rows per snapshot chunk at most; {@link MessageCodec#CHANGE_BYTES} bounds its bytes. */
  static final int SNAPSHOT_CHUNK_ROWS = 50_000;

  private final MessageLink link;
  private final StateStore store;
  private final ReplicationSettings settings;
  private final ReplicaLedger ledger;
  private final long ledgerTerm;
  private final ReplicationStats stats;
  private final ConfigFileSync files;
  private final StreamAlarms alarms;
  private final Clock clock;
  private final long epoch;
  private final Map<Path, String> pushed = ConfigFileSync.nothingPushed();
  private volatile boolean running = true;
  private volatile String replicaId = "?";
  // This stream's session in the ledger, once the replica said where it stands.
  private long session;
  private boolean registered;

  /** When the write under way began (clock millis), or {@link #NOT_SENDING}. */
  private volatile long sendingSince = NOT_SENDING;

  private static final long NOT_SENDING = Long.MIN_VALUE;

  PrimaryStream(
      MessageLink link,
      StateStore store,
      ReplicationSettings settings,
      ReplicaLedger ledger,
      long ledgerTerm,
      ReplicationStats stats,
      ConfigFileSync files,
      StreamAlarms alarms,
      Clock clock,
      long epoch) {
    this.link = link;
    this.store = store;
    this.settings = settings;
    this.ledger = ledger;
    this.ledgerTerm = ledgerTerm;
    this.stats = stats;
    this.files = files;
    this.alarms = alarms;
    this.clock = clock;
    this.epoch = epoch;
  }

  void stop() {
    running = false;
    link.close();
  }

  @Override
  public void run() {
    replicaId = link.channel().peerNodeId();
    Thread watch = new Thread(this::watchWrites, "flywall-writes-" + replicaId);
    watch.setDaemon(true);
    watch.start();
    try {
      ReplicationMessage first = link.receive();
      if (!(first instanceof ReplicationMessage.Follow follow)) {
        throw new WireFormatException("expected Follow, got " + first.getClass().getSimpleName());
      }
      if (follow.knownEpoch() > epoch) {
        send(
            new ReplicationMessage.Refused(
                "this primary's epoch "
                    + epoch
                    + " is older than your epoch "
                    + follow.knownEpoch()
                    + "; it is stale and will step down"));
        return;
      }
      session =
          ledger.connected(replicaId, link.channel().remoteAddress(), follow.point().position());
      registered = true;
      long sent = negotiate(follow.point());
      link.channel().receiveTimeout((int) ackSilenceLimit(settings).toMillis());
      Thread acks = new Thread(this::readAcks, "flywall-acks-" + replicaId);
      acks.setDaemon(true);
      acks.start();
      stream(sent);
    } catch (IOException e) {
      if (running) {
        log.info("replication stream to {} ended: {}", replicaId, e.getMessage());
      }
    } catch (WireFormatException | StateStoreException e) {
      failed(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A bug must not take the listener's thread with it; the replica reconnects after backoff.
      log.error("replication stream to {} failed", replicaId, e);
      failed("internal error: " + e);
    } finally {
      watch.interrupt();
      if (registered) {
        ledger.disconnected(replicaId, session);
      }
      link.close();
    }
  }

  private void send(ReplicationMessage message) throws IOException {
    sendingSince = clock.millis();
    try {
      link.send(message);
    } finally {
      sendingSince = NOT_SENDING;
    }
  }

  /** Drops the stream when one write has waited longer than the ack silence limit. */
  private void watchWrites() {
    long limit = ackSilenceLimit(settings).toMillis();
    try {
      while (running) {
        long since = sendingSince;
        if (since != NOT_SENDING && clock.millis() - since > limit) {
          if (running) {
            stats.silentStreamsClosed.incrementAndGet();
            log.warn(
                "replica {} took nothing of a write for {} ms; dropping its stream (it resumes"
                    + " from its position when it connects again)",
                replicaId,
                limit);
          }
          running = false;
          link.channel().abort();
          return;
        }
        Thread.sleep(Math.max(50, limit / 10));
      }
    } catch (InterruptedException e) {
      // The stream ended.
    }
  }

  /**
   * How long a replica may acknowledge nothing: it acks every position beat (one per sync_interval
   * while no data flows) and every transaction it applies, so a longer silence means it is gone.
   */
  static Duration ackSilenceLimit(ReplicationSettings settings) {
    return settings.syncTimeout().compareTo(MIN_ACK_SILENCE) > 0
        ? settings.syncTimeout()
        : MIN_ACK_SILENCE;
  }

  private void failed(String why) {
    if (running) {
      log.warn("replication stream to {} failed: {}", replicaId, why);
      stats.streamErrors.incrementAndGet();
      alarms.raise(replicaId, why);
    }
  }

  /** Returns the position the replica will be at once what was sent here is applied. */
  private long negotiate(LogPoint replica)
      throws IOException, WireFormatException, StateStoreException {
    Optional<Long> agreed = store.agreementWith(replica);
    if (agreed.isPresent() && agreed.get() == replica.position()) {
      ledger.state(replicaId, session, "streaming", replica.position());
      return replica.position();
    }
    boolean forked =
        agreed.isPresent()
            || (!replica.historyId().equals(store.historyId()) && replica.position() > 0);
    if (forked) {
      long from = agreed.orElse(0L);
      log.info(
          "replica {} forked from this log after position {} (it is at {}); merging its writes since",
          replicaId,
          from,
          replica.position());
      ledger.state(replicaId, session, "merging", from);
      send(new ReplicationMessage.Diverged(from));
      mergeDivergent();
    }
    return sendSnapshot();
  }

  private void mergeDivergent() throws IOException, WireFormatException, StateStoreException {
    while (true) {
      ReplicationMessage message = link.receive();
      if (!(message instanceof ReplicationMessage.Divergent divergent)) {
        throw new WireFormatException(
            "expected Divergent, got " + message.getClass().getSimpleName());
      }
      if (!divergent.changes().isEmpty()) {
        MergeOutcome outcome = store.merge(divergent.changes());
        stats.mergedChanges.addAndGet(outcome.applied());
        stats.conflicts.addAndGet(outcome.conflicts());
        log.info(
            "merged {} writes of {}: {} applied, {} conflicts, {} already present",
            divergent.changes().size(),
            replicaId,
            outcome.applied(),
            outcome.conflicts(),
            outcome.alreadyPresent());
      }
      if (divergent.last()) {
        return;
      }
    }
  }

  private long sendSnapshot() throws IOException, StateStoreException {
    ledger.state(replicaId, session, "snapshot", 0);
    try (SnapshotSource source = store.snapshot()) {
      send(new ReplicationMessage.SnapshotBegin(epoch, source.header()));
      for (List<Change> chunk = nextChunk(source); !chunk.isEmpty(); chunk = nextChunk(source)) {
        send(new ReplicationMessage.SnapshotChunk(chunk));
      }
      send(new ReplicationMessage.SnapshotEnd(source.checksum()));
      stats.snapshotsSent.incrementAndGet();
      log.info(
          "sent a snapshot of {} entries at position {} to {}",
          source.header().entries(),
          source.header().position(),
          replicaId);
      ledger.state(replicaId, session, "streaming", source.header().position());
      return source.header().position();
    }
  }

  private static List<Change> nextChunk(SnapshotSource source) throws StateStoreException {
    return source.next(SNAPSHOT_CHUNK_ROWS, MessageCodec.CHANGE_BYTES);
  }

  /**
   * Sends the log from {@code sent} on: a batch whenever changes are committed (as many as are
   * there, up to batch_size and the frame budget), nothing else while data flows; when nothing was
   * committed for a sync_interval, a position beat with the checksum, so the replica can show "in
   * sync" and knows the stream is alive.
   */
  private void stream(long sent) throws IOException, StateStoreException, InterruptedException {
    ChangeFeed feed = store.feed();
    // Opened when the feed first misses, on a connection of its own: catching up from the log
    // neither waits for the commits nor holds them up.
    LogReader reader = null;
    Instant nextFileCheck = Instant.MIN;
    try {
      while (running) {
        if (!clock.instant().isBefore(nextFileCheck)) {
          pushFiles();
          nextFileCheck = clock.instant().plus(FILE_CHECK);
        }
        Optional<List<Change>> batch =
            feed.after(sent, settings.batchSize(), MessageCodec.CHANGE_BYTES);
        boolean fromLog = batch.isEmpty();
        if (fromLog) {
          // The feed no longer holds what comes next (this replica is behind): read the log.
          if (reader == null) {
            reader = store.logReader();
          }
          batch = reader.after(sent, settings.batchSize(), MessageCodec.CHANGE_BYTES);
        }
        if (batch.isEmpty()) {
          sent = sendSnapshot();
          continue;
        }
        List<Change> changes = batch.get();
        if (!changes.isEmpty()) {
          send(new ReplicationMessage.Batch(epoch, changes));
          sent = changes.get(changes.size() - 1).seq();
          stats.batchesSent.incrementAndGet();
          stats.changesSent.addAndGet(changes.size());
          if (fromLog) {
            stats.changesSentFromLog.addAndGet(changes.size());
          }
          ledger.state(replicaId, session, "streaming", sent);
          continue;
        }
        if (!feed.awaitAfter(sent, settings.syncInterval())) {
          StateStore.LogHead head = store.head();
          if (head.position() == sent) {
            send(new ReplicationMessage.Position(epoch, head.position(), head.checksum()));
          }
        }
      }
    } finally {
      if (reader != null) {
        reader.close();
      }
    }
  }

  private void pushFiles() throws IOException {
    for (ReplicationMessage.FilePush push : files.changedSince(pushed)) {
      send(push);
      stats.filesPushed.incrementAndGet();
    }
  }

  private void readAcks() {
    try {
      while (running) {
        ReplicationMessage message = link.receive();
        if (message instanceof ReplicationMessage.Ack ack) {
          ledger.acked(ledgerTerm, replicaId, ack.position(), ack.checksum());
          alarms.clear(replicaId);
        } else if (message instanceof ReplicationMessage.Refused refused) {
          log.warn("replica {} refused the stream: {}", replicaId, refused.reason());
          stop();
        } else {
          throw new WireFormatException(
              "unexpected " + message.getClass().getSimpleName() + " from a replica");
        }
      }
    } catch (SocketTimeoutException e) {
      if (running) {
        stats.silentStreamsClosed.incrementAndGet();
        log.warn(
            "replica {} acknowledged nothing for {} ms; dropping its stream (it resumes from its"
                + " position when it connects again)",
            replicaId,
            ackSilenceLimit(settings).toMillis());
      }
      // Not link.close(): its TLS close_notify would wait behind a send buffer nobody reads.
      running = false;
      link.channel().abort();
    } catch (IOException e) {
      if (running) {
        log.info("replica {} disconnected: {}", replicaId, e.getMessage());
      }
      stop();
    } catch (WireFormatException | RuntimeException e) {
      failed(e.getMessage());
      stop();
    }
  }
}
