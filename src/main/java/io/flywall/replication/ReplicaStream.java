package io.flywall.replication;

import io.flywall.state.Change;
import io.flywall.state.LogGapException;
import io.flywall.state.SnapshotHeader;
import io.flywall.state.SnapshotMismatchException;
import io.flywall.state.SnapshotSink;
import io.flywall.state.StateStore;
import io.flywall.state.StateStoreException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's side: follows whichever node is primary now (the {@link FollowPolicy} says whom,
 * and a new primary drops the stream in hand at once), applies batches whole or not at all,
 * installs snapshots, sends its divergent writes when asked, writes pushed files, and acks. A
 * stream silent for the policy's silence limit is closed. Every problem (refused stream, corrupt
 * frame, failed apply, silence) is reported in status and followed by a reconnect that resumes from
 * the position actually applied.
 */
final class ReplicaStream implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaStream.class);
  private static final int CONNECT_TIMEOUT_MS = 2_000;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  /** Changes (and bytes of them) applied in one transaction at most, when batches are waiting. */
  private static final int MAX_APPLY = 50_000;

  private static final long MAX_APPLY_BYTES = 32L * 1024 * 1024;
  private static final Duration FORK_OFFER_INTERVAL = Duration.ofMinutes(1);

  private final StateStore store;
  private final ChannelSecurity security;
  private final MessageCodec codec;
  private final ReplicationStats stats;
  private final ConfigFileSync files;
  private final Supplier<Optional<PrimaryTarget>> primary;
  private final LongSupplier knownEpoch;
  private final Clock clock;
  private final FollowPolicy state;
  private final InetAddress source;
  private volatile boolean running = true;
  private volatile MessageLink current;
  private volatile boolean resyncRequested;
  // This log and the primary's hold different changes at the same position: two primaries wrote
  // at the same epoch (cut off from each other). The next connect offers this log as a fork.
  private boolean forkFound;
  private boolean offeringFork;
  private Instant lastForkOffered = Instant.MIN;
  // The last problem logged by warnOnce: a retry that meets it again every second says nothing new.
  private String lastWarned;
  private Optional<PrimaryTarget> lastTarget = Optional.empty();
  private boolean notServingYet;

  ReplicaStream(
      StateStore store,
      ChannelSecurity security,
      MessageCodec codec,
      ReplicationStats stats,
      ConfigFileSync files,
      Supplier<Optional<PrimaryTarget>> primary,
      LongSupplier knownEpoch,
      Clock clock,
      FollowPolicy state,
      InetAddress source) {
    this.store = store;
    this.source = source;
    this.security = security;
    this.codec = codec;
    this.stats = stats;
    this.files = files;
    this.primary = primary;
    this.knownEpoch = knownEpoch;
    this.clock = clock;
    this.state = state;
  }

  void stop() {
    running = false;
    dropStream();
  }

  /** Closes the stream in hand (the primary changed); the loop connects to the new one at once. */
  void dropStream() {
    MessageLink link = current;
    if (link != null) {
      link.close();
    }
  }

  /** Drop this replica's copy at the next connect and take a fresh snapshot. */
  void resync() {
    resyncRequested = true;
    MessageLink link = current;
    if (link != null) {
      link.close();
    }
  }

  @Override
  public void run() {
    Duration backoff = MIN_BACKOFF;
    while (running) {
      // The node also pushes changes (Replication.primaryIs); asking here covers the first connect.
      state.primaryIs(primary.get());
      Optional<PrimaryTarget> target = state.target();
      if (target.isEmpty()) {
        state.closed("no primary known yet");
      } else {
        boolean changedTarget = !target.equals(lastTarget);
        lastTarget = target;
        boolean progressed = follow(target.get());
        // A primary just elected may not serve yet for a few milliseconds: ask again soon.
        boolean soon = progressed || changedTarget || notServingYet;
        notServingYet = false;
        backoff =
            soon
                ? MIN_BACKOFF
                : backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                    ? MAX_BACKOFF
                    : backoff.multipliedBy(2);
      }
      if (!running) {
        break;
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Connects from this node's own listen address when it has one: the primary admits only the
   * configured peer addresses, and the kernel's choice may be another address of this host (on
   * loopback it is always 127.0.0.1).
   */
  private void bindSource(Socket socket, PrimaryTarget target) throws IOException {
    InetAddress to = target.address().getAddress();
    if (source.isAnyLocalAddress() || to == null || to.getClass() != source.getClass()) {
      return;
    }
    socket.bind(new InetSocketAddress(source, 0));
  }

  /** One connection to the primary; true if anything was applied. */
  private boolean follow(PrimaryTarget target) {
    boolean progressed = false;
    SnapshotSink sink = null;
    SnapshotHeader header = null;
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      bindSource(socket, target);
      socket.connect(target.address(), CONNECT_TIMEOUT_MS);
      SecureChannel channel = security.connect(socket, target.nodeId());
      // The primary sends at least a position every sync_interval: a longer silence means a dead
      // primary (powered off, cut off) whose connection would otherwise never end.
      channel.receiveTimeout((int) state.silenceLimit().toMillis());
      MessageLink link = new MessageLink(channel, codec, stats);
      current = link;
      if (!state.wants(target)) {
        state.closed("the primary changed while connecting to " + target.nodeId());
        return false;
      }
      state.connected(target, clock.instant());
      boolean resync = resyncRequested;
      resyncRequested = false;
      offeringFork = forkFound && !resync;
      forkFound = false;
      var point = store.logPoint();
      if (resync) {
        // A history no primary has: the primary answers with a fresh snapshot.
        point = new io.flywall.state.LogPoint("resync-" + clock.millis(), 0, 0);
      } else if (offeringFork) {
        // Another history with data: the primary asks for every change of this log (it cannot
        // tell where the two logs parted), merges them per key by HLC (those it has are already
        // present) and sends its snapshot.
        point =
            new io.flywall.state.LogPoint(
                "fork-" + clock.millis(), point.epoch(), point.position());
      }
      link.send(new ReplicationMessage.Follow(point, knownEpoch.getAsLong()));
      ReplicationMessage next = null;
      while (running) {
        ReplicationMessage message = next != null ? next : link.receive();
        next = null;
        if (message instanceof ReplicationMessage.Batch batch) {
          if (!fromCurrentEpoch(link, batch.epoch())) {
            return progressed;
          }
          // Every batch already here goes into the same transaction, and one ack covers them all
          // once it is committed.
          List<Change> changes = new java.util.ArrayList<>(batch.changes());
          long bytes = sizeOf(batch.changes());
          int batches = 1;
          while (changes.size() < MAX_APPLY && bytes < MAX_APPLY_BYTES && link.ready()) {
            ReplicationMessage more = link.receive();
            if (!(more instanceof ReplicationMessage.Batch b) || b.epoch() != batch.epoch()) {
              next = more;
              break;
            }
            changes.addAll(b.changes());
            bytes += sizeOf(b.changes());
            batches++;
          }
          long start = System.nanoTime();
          store.apply(changes);
          stats.applied((System.nanoTime() - start) / 1_000);
          stats.batchesReceived.addAndGet(batches);
          stats.changesReceived.addAndGet(changes.size());
          progressed = true;
          state.applied(store.position(), clock.instant());
          ack(link);
        } else if (message instanceof ReplicationMessage.Position position) {
          if (!fromCurrentEpoch(link, position.epoch())) {
            return progressed;
          }
          StateStore.LogHead head = store.head();
          state.primaryAt(
              position.position(),
              position.checksum(),
              head.position(),
              head.checksum(),
              clock.instant());
          if (head.position() == position.position()
              && head.checksum() != position.checksum()
              && mayOfferFork()) {
            forkFound = true;
            lastForkOffered = clock.instant();
            log.warn(
                "replication: this log and primary {}'s hold different changes at the same"
                    + " position {} (two primaries wrote at the same epoch); sending this log's"
                    + " writes to {} to be merged, then taking its snapshot",
                target.nodeId(),
                position.position(),
                target.nodeId());
            state.problem(
                "this log and the primary's differ at the same position: merging this node's"
                    + " writes into the primary, then taking its snapshot");
            return progressed;
          }
          ack(link);
        } else if (message instanceof ReplicationMessage.SnapshotBegin begin) {
          if (!fromCurrentEpoch(link, begin.epoch())) {
            return progressed;
          }
          header = begin.header();
          sink = store.receiveSnapshot();
          state.snapshot(header.entries());
          log.info(
              "receiving a snapshot of {} entries at position {} from {}",
              header.entries(),
              header.position(),
              target.nodeId());
        } else if (message instanceof ReplicationMessage.SnapshotChunk chunk) {
          state.heard(clock.instant());
          if (sink == null) {
            throw new WireFormatException("snapshot chunk without a snapshot");
          }
          sink.add(chunk.rows());
          state.snapshotProgress(sink.rowsReceived());
        } else if (message instanceof ReplicationMessage.SnapshotEnd end) {
          if (sink == null) {
            throw new WireFormatException("snapshot end without a snapshot");
          }
          sink.finish(header, end.checksum());
          sink = null;
          stats.snapshotsReceived.incrementAndGet();
          progressed = true;
          state.applied(store.position(), clock.instant());
          log.info(
              "snapshot installed: position {}, checksum {}",
              store.position(),
              io.flywall.state.StateChecksum.format(store.checksum()));
          ack(link);
        } else if (message instanceof ReplicationMessage.Diverged diverged) {
          sendDivergent(link, diverged.agreed());
        } else if (message instanceof ReplicationMessage.FilePush push) {
          writeFile(push);
        } else if (message instanceof ReplicationMessage.Refused refused) {
          state.problem("the primary refused the stream: " + refused.reason());
          warnOnce("the primary refused the stream: " + refused.reason());
          notServingYet = refused.reason().startsWith(ReplicationMessage.Refused.NOT_PRIMARY);
          return progressed;
        } else {
          throw new WireFormatException(
              "unexpected " + message.getClass().getSimpleName() + " from the primary");
        }
      }
    } catch (java.io.EOFException e) {
      state.closed("the primary closed the connection");
    } catch (java.net.SocketTimeoutException e) {
      stats.silentStreamsClosed.incrementAndGet();
      state.closed(state.silenceProblem());
      log.warn("replication: {} from {}", state.silenceProblem(), target.nodeId());
    } catch (IOException e) {
      state.closed(
          "cannot reach the primary "
              + target.nodeId()
              + " at "
              + target.address()
              + ": "
              + e.getMessage());
    } catch (AuthenticationException e) {
      state.problem(e.getMessage());
      log.warn("replication: {}", e.getMessage());
    } catch (WireFormatException e) {
      state.problem("corrupt data from the primary, reconnecting: " + e.getMessage());
      log.warn("replication: corrupt data from the primary: {}", e.getMessage());
    } catch (LogGapException e) {
      state.problem("batch did not continue the log, renegotiating: " + e.getMessage());
      warnOnce("batch did not continue the log, renegotiating: " + e.getMessage());
    } catch (SnapshotMismatchException e) {
      state.problem(e.getMessage());
      log.warn("replication: {}", e.getMessage());
    } catch (StateStoreException e) {
      state.problem("cannot apply changes (disk full?): " + e.getMessage());
      log.error("replication: cannot apply changes: {}", e.getMessage());
    } catch (RuntimeException e) {
      // Never let a bug end replication for good: report it and reconnect after the backoff.
      state.problem("internal error, reconnecting: " + e);
      log.error("replication: stream from the primary failed", e);
    } finally {
      current = null;
      state.ended();
      abortQuietly(sink);
    }
    return progressed;
  }

  private static long sizeOf(List<Change> changes) {
    long bytes = 0;
    for (Change c : changes) {
      bytes += c.sizeBound();
    }
    return bytes;
  }

  private boolean fromCurrentEpoch(MessageLink link, long epoch) throws IOException {
    long known = knownEpoch.getAsLong();
    if (epoch < known) {
      state.problem(
          "refused a stream from epoch " + epoch + ", older than this node's epoch " + known);
      link.send(new ReplicationMessage.Refused("your epoch " + epoch + " is older than " + known));
      return false;
    }
    return true;
  }

  private void ack(MessageLink link) throws IOException, StateStoreException {
    StateStore.LogHead head = store.head();
    link.send(new ReplicationMessage.Ack(head.position(), head.checksum()));
  }

  private void warnOnce(String problem) {
    if (!problem.equals(lastWarned)) {
      lastWarned = problem;
      log.warn("replication: {}", problem);
    }
  }

  /**
   * At most one fork offered a minute: if the logs still differ after a merge and a snapshot,
   * something else is wrong, and the status says to run 'flywall replication resync'.
   */
  private boolean mayOfferFork() {
    return !clock.instant().isBefore(lastForkOffered.plus(FORK_OFFER_INTERVAL));
  }

  private void sendDivergent(MessageLink link, long agreed)
      throws IOException, StateStoreException {
    long from = Math.max(agreed, store.logBase());
    if (from > agreed && !offeringFork) {
      log.warn(
          "{} changes written here after the fork are no longer in this log and cannot be merged",
          from - agreed);
      state.problem(
          (from - agreed) + " changes since the fork were trimmed from the log before the merge");
    }
    int sent = 0;
    while (true) {
      Optional<List<Change>> chunk = store.changesAfter(from, 1_000, MessageCodec.CHANGE_BYTES);
      List<Change> changes = chunk.orElse(List.of());
      boolean last = changes.isEmpty();
      link.send(new ReplicationMessage.Divergent(changes, last));
      if (last) {
        log.info(
            "sent {} writes made here since the fork at {} to the primary for merging",
            sent,
            agreed);
        return;
      }
      sent += changes.size();
      from = changes.get(changes.size() - 1).seq();
    }
  }

  private void writeFile(ReplicationMessage.FilePush push) {
    try {
      files.write(push);
      stats.filesWritten.incrementAndGet();
      log.info("wrote pushed file {}", push.path());
    } catch (IOException e) {
      stats.filesRefused.incrementAndGet();
      state.problem("cannot write pushed file " + push.path() + ": " + e.getMessage());
      log.warn("replication: cannot write pushed file {}: {}", push.path(), e.getMessage());
    }
  }

  private static void abortQuietly(SnapshotSink sink) {
    if (sink != null) {
      try {
        sink.abort();
      } catch (StateStoreException ignored) {
        // The staging table is cleared again before the next snapshot.
      }
    }
  }
}
