package io.flywall.replication;

import io.flywall.state.Change;
import io.flywall.state.NotPrimaryException;
import io.flywall.state.StateChecksum;
import io.flywall.state.StateStore;
import io.flywall.state.StateStoreException;
import io.flywall.state.WriteOp;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication of one node: the listener on {@code listen_addr} (always on; it serves streams only
 * while this node is primary), the follower thread while it is a replica, the sync-mode write path,
 * and status. The node switches roles with {@link #becomePrimary} and {@link #becomeReplica} as the
 * failover controller decides.
 */
public final class Replication implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Replication.class);

  /**
   * Handshakes in progress at once. Peers are few and reconnect with backoff; more than this at
   * once means someone floods the port, and each one beyond it is closed instead of given a thread.
   */
  static final int MAX_HANDSHAKES = 16;

  private final StateStore store;
  private final ReplicationSettings settings;
  private final ChannelSecurity security;
  private final MessageCodec codec;
  private final ReplicationStats stats = new ReplicationStats();
  private final ReplicaLedger ledger;
  private final ConfigFileSync files;
  private final StreamAlarms alarms = new StreamAlarms();
  private final Clock clock;
  private final Supplier<Optional<PrimaryTarget>> primary;
  private final LongSupplier knownEpoch;
  private final FollowPolicy followerState;
  private final ServerSocket server;
  private final ExecutorService connections;
  private final ThreadPoolExecutor handshakes;
  private final RefusalLog refusals;
  private final ScheduledExecutorService sweeper;
  private final Set<PrimaryStream> sessions = ConcurrentHashMap.newKeySet();
  private volatile boolean primaryRole;
  private volatile long epoch;
  private long ledgerTerm;
  private volatile boolean closed;
  private ReplicaStream follower;
  private Thread followerThread;

  private Replication(
      StateStore store,
      ReplicationSettings settings,
      ChannelSecurity security,
      Clock clock,
      Supplier<Optional<PrimaryTarget>> primary,
      LongSupplier knownEpoch,
      BiConsumer<Boolean, Long> syncListener,
      ServerSocket server) {
    this.store = store;
    this.settings = settings;
    this.security = security;
    this.codec = new MessageCodec(settings.compression());
    this.ledger = new ReplicaLedger(clock, stats);
    this.files = new ConfigFileSync(settings.syncFiles(), settings.haConfig());
    this.clock = clock;
    this.primary = primary;
    this.knownEpoch = knownEpoch;
    this.followerState =
        new FollowPolicy(FollowPolicy.silenceLimit(settings.syncInterval()), syncListener);
    this.server = server;
    this.connections = Executors.newCachedThreadPool(named("flywall-replication"));
    this.handshakes =
        new ThreadPoolExecutor(
            MAX_HANDSHAKES,
            MAX_HANDSHAKES,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            named("flywall-handshake"));
    this.handshakes.allowCoreThreadTimeOut(true);
    this.refusals = new RefusalLog(clock, log::warn);
    this.sweeper = Executors.newSingleThreadScheduledExecutor(named("flywall-expiry"));
  }

  /**
   * Binds {@code listen_addr} and starts serving; the node starts as a replica of whoever {@code
   * primary} names (nothing to follow until one is known).
   *
   * @param knownEpoch the highest epoch this node knows; streams from older epochs are refused
   * @param syncListener told (in sync?, position) when this replica becomes or stops being in sync
   */
  public static Replication start(
      StateStore store,
      ReplicationSettings settings,
      byte[] replicationKey,
      Clock clock,
      SecureRandom random,
      Supplier<Optional<PrimaryTarget>> primary,
      LongSupplier knownEpoch,
      BiConsumer<Boolean, Long> syncListener)
      throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(settings.listen());
    ChannelSecurity security =
        new ChannelSecurity(
            settings.nodeId(), replicationKey, settings.encryption(), random, clock);
    Replication replication =
        new Replication(
            store, settings, security, clock, primary, knownEpoch, syncListener, server);
    store.onCommit(replication.ledger::appended);
    replication.connections.execute(replication::acceptLoop);
    replication.sweeper.scheduleWithFixedDelay(replication::sweep, 1, 1, TimeUnit.SECONDS);
    log.info(
        "replication listening on {} ({}, compression {}, sync_mode {})",
        server.getLocalSocketAddress(),
        settings.encryption() ? "TLS 1.3-PSK" : "PSK challenge + frame MACs, unencrypted",
        settings.compression() ? "on" : "off",
        settings.syncMode() ? "sync" : "async");
    return replication;
  }

  /** Handshakes running now (at most {@link #MAX_HANDSHAKES}). */
  int handshakesInProgress() {
    return handshakes.getActiveCount();
  }

  public int listenPort() {
    return server.getLocalPort();
  }

  public StateStore store() {
    return store;
  }

  // ---- roles ----

  /** This node is primary for {@code newEpoch}: accept writes, stop following, serve replicas. */
  public synchronized void becomePrimary(long newEpoch) {
    stopFollower();
    if (newEpoch != epoch || !primaryRole) {
      closeSessions();
      ledgerTerm = ledger.newTerm();
    }
    epoch = newEpoch;
    primaryRole = true;
    store.acceptWrites(newEpoch);
    log.info("replication: primary for epoch {} at position {}", newEpoch, store.position());
  }

  /**
   * This node is not primary: refuse writes (naming the primary) and follow the current primary.
   */
  public synchronized void becomeReplica(Optional<String> primaryId) {
    store.refuseWrites(primaryId);
    if (primaryRole) {
      log.info(
          "replication: no longer primary; following {}", primaryId.orElse("the next primary"));
    }
    // The controller forgets "in sync" on demotion: the next one must be reported again.
    followerState.rearm();
    primaryRole = false;
    closeSessions();
    ledgerTerm = ledger.newTerm();
    if (follower == null && !closed) {
      follower =
          new ReplicaStream(
              store,
              security,
              codec,
              stats,
              files,
              primary,
              knownEpoch,
              clock,
              followerState,
              settings.listen().getAddress());
      followerThread = new Thread(follower, "flywall-follower");
      followerThread.setDaemon(true);
      followerThread.start();
    }
  }

  /**
   * The primary as the failover controller sees it now: writes are redirected to it, and a stream
   * from any other node is dropped so the follower moves to it at once.
   */
  public void primaryIs(Optional<PrimaryTarget> primary) {
    if (!primaryRole) {
      store.refuseWrites(primary.map(PrimaryTarget::nodeId));
    }
    if (followerState.primaryIs(primary)) {
      ReplicaStream following;
      synchronized (this) {
        following = follower;
      }
      if (following != null) {
        following.dropStream();
      }
    }
  }

  public boolean primary() {
    return primaryRole;
  }

  /** Drops this replica's copy and takes a fresh snapshot from the primary. */
  public synchronized boolean resync() {
    if (primaryRole || follower == null) {
      return false;
    }
    follower.resync();
    return true;
  }

  // ---- writes ----

  /** A write and whether a replica acknowledged it (always true in async mode). */
  public record Written(Change change, boolean replicated) {}

  public Written put(String bucket, String key, byte[] value, Optional<Duration> ttl)
      throws NotPrimaryException, StateStoreException, InterruptedException {
    Change change = store.put(bucket, key, value, ttl);
    return new Written(change, awaitReplica(change.seq()));
  }

  public Optional<Written> delete(String bucket, String key)
      throws NotPrimaryException, StateStoreException, InterruptedException {
    Optional<Change> change = store.delete(bucket, key);
    if (change.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Written(change.get(), awaitReplica(change.get().seq())));
  }

  /** What a batch of writes committed and whether a replica acknowledged it. */
  public record BatchWritten(int count, long position, boolean replicated) {}

  /** Writes {@code ops} all in one transaction, or none of them (see {@link StateStore#write}). */
  public BatchWritten write(List<WriteOp> ops)
      throws NotPrimaryException, StateStoreException, InterruptedException {
    StateStore.Committed committed = store.write(ops);
    boolean replicated = committed.changes().isEmpty() || awaitReplica(committed.position());
    return new BatchWritten(committed.changes().size(), committed.position(), replicated);
  }

  private boolean awaitReplica(long seq) throws InterruptedException {
    if (!settings.syncMode()) {
      return true;
    }
    return ledger.awaitAck(seq, settings.syncTimeout());
  }

  // ---- status ----

  public ReplicationStatus status() throws StateStoreException {
    StateStore.LogHead head = store.head();
    long conflicts = store.conflictCount();
    String syncMode = !settings.syncMode() ? "async" : ledger.degraded() ? "degraded" : "sync";
    if (primaryRole) {
      List<ReplicationStatus.Peer> peers = new ArrayList<>();
      boolean allInSync = true;
      int live = 0;
      String lastAck = null;
      for (ReplicaLedger.Progress p : ledger.replicas()) {
        long lag = Math.max(0, head.position() - p.ackedPosition());
        boolean connected = !p.state().equals("disconnected");
        live += connected ? 1 : 0;
        boolean inSync = connected && lag == 0 && p.ackedChecksum() == head.checksum();
        allInSync &= inSync || !connected;
        String state = inSync ? "in_sync" : p.state();
        peers.add(
            new ReplicationStatus.Peer(
                p.nodeId(),
                p.address(),
                state,
                p.ackedPosition(),
                lag,
                ledger.lagMillis(p.ackedPosition(), head.position())));
        String at = p.lastAck().toString();
        lastAck = lastAck == null || at.compareTo(lastAck) > 0 ? at : lastAck;
      }
      String syncState = live == 0 ? "no_replicas" : allInSync ? "in_sync" : "catching_up";
      return new ReplicationStatus(
          "primary",
          syncState,
          syncMode,
          head.position(),
          StateChecksum.format(head.checksum()),
          lastAck,
          store.nodeId(),
          store.historyId(),
          null,
          conflicts,
          peers);
    }
    FollowPolicy.View view = followerState.view();
    List<ReplicationStatus.Peer> peers = new ArrayList<>();
    view.primary()
        .ifPresent(
            p ->
                peers.add(
                    new ReplicationStatus.Peer(
                        p.nodeId(),
                        p.address().getAddress().getHostAddress() + ":" + p.address().getPort(),
                        view.state(),
                        Math.max(0, view.primaryPosition()),
                        Math.max(0, view.primaryPosition() - head.position()),
                        -1)));
    return new ReplicationStatus(
        "replica",
        view.state(),
        syncMode,
        head.position(),
        StateChecksum.format(head.checksum()),
        view.lastSync() == null ? null : view.lastSync().toString(),
        view.primary().map(PrimaryTarget::nodeId).orElse(null),
        store.historyId(),
        view.problem(),
        conflicts,
        peers);
  }

  /**
   * Raised alarms by name, with their detail: {@value StreamAlarms#NAME} while a stream keeps
   * failing with an error (it is retried with backoff meanwhile).
   */
  public Map<String, String> alarms() {
    String detail = alarms.detail();
    if (!primaryRole) {
      FollowPolicy.View view = followerState.view();
      // A primary just elected that does not serve yet is no fault: the replica asks again soon.
      // The last error stays the alarm through the retry's reconnects, until the stream works.
      boolean notServingYet =
          view.failure() != null && view.failure().contains(ReplicationMessage.Refused.NOT_PRIMARY);
      if (view.failure() != null && !notServingYet) {
        String peer = view.primary().map(PrimaryTarget::nodeId).orElse("the primary");
        detail = "stream with " + peer + ": " + view.failure();
      } else {
        detail = null;
      }
    }
    return detail == null ? Map.of() : Map.of(StreamAlarms.NAME, detail);
  }

  public Map<String, Object> stats() {
    return stats.snapshot(security.refusedCount());
  }

  // ---- machinery ----

  private void acceptLoop() {
    AcceptBackoff backoff = new AcceptBackoff();
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        if (closed || server.isClosed()) {
          return;
        }
        // Out of file descriptors, or memory: accepting again at once would spin a core.
        stats.acceptErrors.incrementAndGet();
        Duration pause = backoff.failed();
        if (backoff.shouldLog()) {
          log.warn(
              "replication listener: accept failed ({}); retrying in {} ms",
              e.getMessage(),
              pause.toMillis());
        }
        if (!pauseFor(pause)) {
          return;
        }
        continue;
      }
      backoff.succeeded();
      admit(socket);
    }
  }

  /**
   * Peers only, and at most {@link #MAX_HANDSHAKES} at once: anything else is closed at once,
   * before a thread or a handshake is spent on it.
   */
  private void admit(Socket socket) {
    if (!settings.peers().admits(socket.getInetAddress())) {
      stats.refusedNotPeer.incrementAndGet();
      refusals.refused(
          String.valueOf(socket.getRemoteSocketAddress()),
          "not a configured peer address (peer_addr, peer_addrs, primary_addr)");
      closeQuietly(socket);
      return;
    }
    try {
      socket.setTcpNoDelay(true);
      handshakes.execute(() -> handshake(socket));
    } catch (RejectedExecutionException | OutOfMemoryError | IOException e) {
      // OutOfMemoryError here is "unable to create native thread": shed this one, keep listening.
      stats.handshakesShed.incrementAndGet();
      refusals.refused(
          String.valueOf(socket.getRemoteSocketAddress()),
          MAX_HANDSHAKES + " handshakes already in progress");
      closeQuietly(socket);
    }
  }

  private boolean pauseFor(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void handshake(Socket socket) {
    SecureChannel channel;
    try {
      channel = security.accept(socket);
    } catch (AuthenticationException e) {
      return;
    }
    try {
      connections.execute(() -> serve(channel));
    } catch (RejectedExecutionException | OutOfMemoryError e) {
      stats.handshakesShed.incrementAndGet();
      channel.abort();
    }
  }

  private void serve(SecureChannel channel) {
    MessageLink link = new MessageLink(channel, codec, stats);
    PrimaryStream session;
    synchronized (this) {
      if (!primaryRole || closed) {
        session = null;
      } else {
        session =
            new PrimaryStream(
                link, store, settings, ledger, ledgerTerm, stats, files, alarms, clock, epoch);
        sessions.add(session);
      }
    }
    if (session == null) {
      try {
        link.send(
            new ReplicationMessage.Refused(
                ReplicationMessage.Refused.NOT_PRIMARY
                    + "node "
                    + settings.nodeId()
                    + " does not serve replication now"));
      } catch (IOException ignored) {
        // The replica asks again after its backoff either way.
      }
      link.close();
      return;
    }
    try {
      session.run();
    } finally {
      sessions.remove(session);
    }
  }

  private void sweep() {
    try {
      int expired = store.expireDue();
      if (expired > 0) {
        log.debug("expired {} entries", expired);
      }
    } catch (StateStoreException | RuntimeException e) {
      log.warn("expiry sweep failed: {}", e.getMessage());
    }
  }

  private void closeSessions() {
    for (PrimaryStream session : sessions) {
      session.stop();
    }
    sessions.clear();
  }

  private void stopFollower() {
    if (follower != null) {
      follower.stop();
      followerThread.interrupt();
      follower = null;
      followerThread = null;
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    stopFollower();
    closeSessions();
    try {
      server.close();
    } catch (IOException ignored) {
      // Shutting down.
    }
    connections.shutdownNow();
    handshakes.shutdownNow();
    sweeper.shutdownNow();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Refusing it anyway.
    }
  }

  private static java.util.concurrent.ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
