package io.flywall.node;

import io.flywall.api.ApiServer;
import io.flywall.api.ApiToken;
import io.flywall.api.HaMetrics;
import io.flywall.api.HaService;
import io.flywall.api.MonitorFeed;
import io.flywall.api.StateService;
import io.flywall.cluster.BootId;
import io.flywall.cluster.ClusterKeys;
import io.flywall.cluster.HeartbeatCodec;
import io.flywall.cluster.HeartbeatPeers;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.HeartbeatSender;
import io.flywall.cluster.KeyCache;
import io.flywall.cluster.TcpConnectAnswer;
import io.flywall.cluster.UdpHeartbeatTransport;
import io.flywall.config.ApiConfig;
import io.flywall.config.Cidr;
import io.flywall.config.ConfigLoader;
import io.flywall.config.FlywallConfig;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.failover.FailoverController;
import io.flywall.network.CommandRunner;
import io.flywall.network.LinkMonitor;
import io.flywall.network.LinkObserver;
import io.flywall.network.VipGroup;
import io.flywall.replication.Replication;
import io.flywall.state.History;
import io.flywall.state.NodeMeta;
import io.flywall.state.StateDatabase;
import io.flywall.state.StateDirLock;
import io.flywall.state.StateStoreException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and runs a whole node from its config: database, heartbeats, controller, API. */
public final class Daemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  private final StateDirLock lock;
  private final String nodeId;
  private boolean closed;
  private final StateDatabase database;
  private final ControllerLoop node;
  private final ApiServer api;
  private final ConfigReload reload;
  private final ConnectionSync connectionSync;
  private HaView view;
  private final Replication replication;
  private final java.util.Optional<TcpConnectAnswer> tcpAnswer;

  private Daemon(
      String nodeId,
      StateDirLock lock,
      StateDatabase database,
      ControllerLoop node,
      ApiServer api,
      ConfigReload reload,
      ConnectionSync connectionSync,
      Replication replication,
      java.util.Optional<TcpConnectAnswer> tcpAnswer) {
    this.lock = lock;
    this.nodeId = nodeId;
    this.tcpAnswer = tcpAnswer;
    this.connectionSync = connectionSync;
    this.replication = replication;
    this.database = database;
    this.node = node;
    this.api = api;
    this.reload = reload;
  }

  /** What the API shows of this node (tests ask it directly). */
  HaView view() {
    return view;
  }

  public int apiPort() {
    return api.port();
  }

  /** The external effects a node uses; the real ones come from {@link NodeEffects#real}. */
  public record Effects(
      VipGroup vips,
      FailoverScripts scripts,
      CommandRunner commands,
      ConnectionSync connectionSync,
      LinkObserver links) {
    /** Links polled through {@code commands}. */
    public Effects(
        VipGroup vips,
        FailoverScripts scripts,
        CommandRunner commands,
        ConnectionSync connectionSync) {
      this(
          vips,
          scripts,
          commands,
          connectionSync,
          new LinkMonitor(commands, java.time.Duration.ofSeconds(2)));
    }

    /** Without connection-state sync. */
    public Effects(VipGroup vips, FailoverScripts scripts, CommandRunner commands) {
      this(vips, scripts, commands, ConnectionSync.disabled());
    }
  }

  public static Daemon start(FlywallConfig config, Clock clock, Effects effects)
      throws NodeStartException {
    return start(config, java.util.Optional.empty(), clock, effects);
  }

  /**
   * @param configFile where {@code config} was read from: a reload reads it again
   */
  public static Daemon start(
      FlywallConfig config,
      java.util.Optional<java.nio.file.Path> configFile,
      Clock clock,
      Effects effects)
      throws NodeStartException {
    return start(config, configFile, clock, () -> effects);
  }

  /** Opens the node's external effects; called once Argon2id already runs beside it. */
  public interface EffectsSource {
    Effects open() throws NodeStartException;
  }

  /**
   * Starts a node in the order of DESIGN 10.2 (first heartbeat soon after process start): what a
   * truthful heartbeat needs first (the heartbeat key, the persisted epoch and standby), then the
   * heartbeats, then the slower rest (replication listener and TLS, leftover VIPs, monitors,
   * conntrack sync, the API), and only then the controller's ticks, so the node claims nothing
   * sooner than before.
   *
   * @param configFile where {@code config} was read from: a reload reads it again
   */
  public static Daemon start(
      FlywallConfig config,
      java.util.Optional<java.nio.file.Path> configFile,
      Clock clock,
      EffectsSource effectsSource)
      throws NodeStartException {
    ClusterPlan plan = ClusterPlan.of(config);
    // Started first: the Argon2id run is the longest step before the first heartbeat. It writes
    // the key cache only once this daemon holds the directory's lock.
    CompletableFuture<Boolean> locked = new CompletableFuture<>();
    CompletableFuture<ClusterKeys> derivedKeys =
        deriveKeys(config, KeyCache.in(plan.stateDir()), locked::join);
    StateDirLock lock;
    try {
      lock = lockStateDir(plan);
      locked.complete(true);
    } finally {
      locked.complete(false);
    }
    // The SQLite driver's start and the database's opening (about a second under load) run beside
    // the effects' opening; taken after the lock, since two daemons on one directory share an
    // epoch.
    CompletableFuture<StateDatabase> opening = openBeside(plan);
    Effects effects;
    try {
      effects = effectsSource.open();
    } catch (NodeStartException | RuntimeException e) {
      opening.thenAccept(StateDatabase::close);
      lock.close();
      throw e;
    }
    StateDatabase database;
    try {
      database = joinOpening(opening);
    } catch (NodeStartException e) {
      effects.connectionSync().close();
      lock.close();
      throw e;
    }
    DatagramChannel channel = null;
    ControllerLoop node = null;
    AtomicReference<Replication> replicationRef = new AtomicReference<>();
    java.util.Optional<TcpConnectAnswer> tcpAnswer = java.util.Optional.empty();
    ConfigReload reload = null;
    CompletableFuture<ApiServer> apiStarting = null;
    try {
      NodeMeta meta = new NodeMeta(database);
      long epoch = meta.epoch();
      boolean standby = meta.standby();
      long bootId = BootId.next(plan.stateDir(), clock);
      // What needs no key is built while Argon2id still runs.
      channel = bindHeartbeats(plan.heartbeatBind());
      tcpAnswer = TcpConnectAnswer.open(plan.heartbeatBind());
      if (standby) {
        log.warn("this node is in standby (an operator's choice): 'flywall ha unstandby' ends it");
      }
      FailoverController controller =
          new FailoverController(plan.controller(), epoch, standby, clock.instant());
      HaMetrics metrics = new HaMetrics();
      MonitorFeed monitor = new MonitorFeed(config.api().maxMonitors());
      History history = new History(database);
      ScheduledExecutorService loop =
          Executors.newSingleThreadScheduledExecutor(daemonThreads("flywall-controller"));
      ExecutorService effectsThread =
          Executors.newSingleThreadExecutor(daemonThreads("flywall-effects"));
      ReplaceableScripts scripts = new ReplaceableScripts(effects.scripts());
      ControllerLoop[] holder = new ControllerLoop[1];
      ReplicationRoles roles =
          new ReplicationRoles(
              replicationRef::get,
              meta,
              () -> holder[0] == null ? java.util.Optional.empty() : holder[0].primaryHint());
      if (!derivedKeys.isDone()) {
        ClassWarming.beside(derivedKeys);
      }
      ClusterKeys keys = derivedKeys.join();
      HeartbeatPeers peers = HeartbeatPeers.nodes(plan.peers(), HeartbeatCodec.withKeys(keys));
      if (plan.witness().isPresent()) {
        peers = peers.withWitness(plan.witness().get(), new HeartbeatCodec(keys.witnessKey()));
      }
      HeartbeatReceiver receiver = new HeartbeatReceiver(plan.nodeId(), peers, clock);
      UdpHeartbeatTransport transport =
          UdpHeartbeatTransport.start(
              channel,
              receiver,
              received -> {
                // Before the loop exists the receiver has still counted the peer; the next
                // heartbeat reaches the controller.
                if (holder[0] != null) {
                  holder[0].onHeartbeat(received);
                }
              });
      HeartbeatSender sender =
          new HeartbeatSender(plan.nodeId(), bootId, transport, receiver.peers(), clock);
      node =
          new ControllerLoop(
              plan,
              clock,
              controller,
              loop,
              effectsThread,
              receiver,
              sender,
              transport,
              (feedback, announce) ->
                  new ActionRunner(
                      plan.nodeId(),
                      effectsThread,
                      clock,
                      meta,
                      history,
                      effects.vips(),
                      scripts,
                      metrics,
                      monitor,
                      feedback,
                      announce,
                      roles,
                      effects.connectionSync()),
              effects.vips(),
              metrics,
              monitor,
              // Replication starts after the first heartbeats; it then asks for the primary.
              primary -> {
                Replication started = replicationRef.get();
                if (started != null) {
                  started.primaryIs(primary);
                }
              },
              meta);
      holder[0] = node;
      node.startHeartbeats();
      ControllerLoop loopRef = node;
      Replication replication =
          StateReplication.start(
              config,
              java.util.Optional.empty(),
              database,
              keys,
              clock,
              loopRef::followedPrimary,
              loopRef::knownEpoch,
              loopRef::replicationChanged);
      replicationRef.set(replication);
      // Every node starts as a replica, before any tick can make the controller promote it.
      replication.becomeReplica(java.util.Optional.empty());
      // A primary heard before replication existed: follow it now.
      replication.primaryIs(node.followedPrimary());
      Daemon[] daemonHolder = new Daemon[1];
      HaView view =
          new HaView(
              plan,
              clock,
              node,
              receiver,
              history,
              effects.vips(),
              effects.connectionSync(),
              replication::alarms,
              () ->
                  daemonHolder[0] == null
                      ? io.flywall.api.ApiModel.CommandOutcome.refused("still starting; try again")
                      : daemonHolder[0].reload());
      // The API server takes seconds to start on a busy machine: it starts beside the rest, and
      // the controller's ticks do not wait for it.
      apiStarting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return startApi(
                      config.api(),
                      view,
                      metrics,
                      monitor,
                      new StateApi(plan.nodeId(), replication));
                } catch (NodeStartException e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              },
              runnable -> {
                Thread thread = new Thread(runnable, "flywall-api-start");
                thread.setDaemon(true);
                thread.start();
              });
      // A node that died while primary may still carry the VIPs: it holds nothing until elected.
      try {
        effects.vips().release();
      } catch (Exception e) {
        throw new NodeStartException("cannot remove leftover VIPs at start: " + e.getMessage(), e);
      }
      reload = new ConfigReload(configFile, config, clock, effects, scripts, effectsThread, node);
      reload.startWatching();
      node.healthChecked();
      effects
          .connectionSync()
          .start(
              new ConntrackReporting(
                  plan.nodeId(), clock, metrics, monitor, history, view::status));
      node.start();
      ApiServer api;
      try {
        api = apiStarting.join();
      } catch (java.util.concurrent.CompletionException e) {
        throw e.getCause() instanceof NodeStartException start
            ? start
            : new NodeStartException(rootMessage(e), e);
      }
      log.info(
          "node {} (boot {}, epoch {}) state in {}, API on {}",
          plan.nodeId(),
          bootId,
          epoch,
          database.file(),
          config.api().listen());
      Daemon daemon =
          new Daemon(
              plan.nodeId(),
              lock,
              database,
              node,
              api,
              reload,
              effects.connectionSync(),
              replication,
              tcpAnswer);
      daemon.view = view;
      daemonHolder[0] = daemon;
      return daemon;
    } catch (NodeStartException | IOException | StateStoreException | RuntimeException e) {
      // Nothing half-started is left behind: a failed start releases what it took. The node ran
      // for a moment (heartbeats, maybe ticks): it stops as at SIGTERM (nothing is held yet).
      if (reload != null) {
        reload.close();
      }
      if (node != null) {
        node.close();
      }
      if (apiStarting != null) {
        // Started beside a step that then failed: closed once it is up (if it came up at all).
        apiStarting.thenAccept(ApiServer::close);
      }
      effects.connectionSync().close();
      closeQuietly(replicationRef.get());
      database.close();
      closeQuietly(channel);
      tcpAnswer.ifPresent(TcpConnectAnswer::close);
      lock.close();
      throw e instanceof NodeStartException start
          ? start
          : new NodeStartException(e.getMessage(), e);
    }
  }

  /**
   * Re-reads the config file and applies what can change live, or refuses saying why ({@link
   * ConfigReload}).
   */
  public io.flywall.api.ApiModel.CommandOutcome reload() {
    return reload.reload();
  }

  /** Taken before anything else touches the directory: two daemons on it would share an epoch. */
  static StateDirLock lockStateDir(java.nio.file.Path stateDir) throws NodeStartException {
    try {
      return StateDirLock.acquire(stateDir, ProcessHandle.current().pid());
    } catch (StateDirLock.HeldException | StateStoreException e) {
      throw new NodeStartException(e.getMessage(), e);
    }
  }

  private static StateDirLock lockStateDir(ClusterPlan plan) throws NodeStartException {
    return lockStateDir(plan.stateDir());
  }

  private static CompletableFuture<StateDatabase> openBeside(ClusterPlan plan) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            SqliteNativeLibrary.keepIn(plan.stateDir());
            return StateDatabase.open(plan.stateDir());
          } catch (StateStoreException e) {
            throw new java.util.concurrent.CompletionException(
                new NodeStartException(e.getMessage(), e));
          }
        },
        runnable -> daemonThreads("flywall-db-open").newThread(runnable).start());
  }

  private static StateDatabase joinOpening(CompletableFuture<StateDatabase> opening)
      throws NodeStartException {
    try {
      return opening.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof NodeStartException start
          ? start
          : new NodeStartException(rootMessage(e), e);
    }
  }

  private static DatagramChannel bindHeartbeats(InetSocketAddress bind) throws NodeStartException {
    try {
      return UdpHeartbeatTransport.bind(bind);
    } catch (IOException e) {
      throw new NodeStartException(
          "cannot listen for heartbeats on "
              + bind
              + ": "
              + e.getMessage()
              + " (is another flywall running, or heartbeat_port taken?)",
          e);
    }
  }

  private static ApiServer startApi(
      ApiConfig config, HaService ha, HaMetrics metrics, MonitorFeed monitor, StateService state)
      throws NodeStartException {
    ApiToken token;
    try {
      token = ApiToken.loadOrCreate(config.tokenFile(), new SecureRandom());
    } catch (IOException e) {
      throw new NodeStartException(
          "cannot create or read the API token file " + config.tokenFile() + ": " + e.getMessage(),
          e);
    }
    ApiServer.Settings settings =
        new ApiServer.Settings(
            config.listen().host(),
            config.listen().port(),
            address -> config.allow().stream().anyMatch((Cidr cidr) -> cidr.contains(address)),
            token,
            hostNames(config));
    try {
      return new ApiServer(settings, ha, metrics, monitor, java.util.Optional.of(state)).start();
    } catch (RuntimeException e) {
      throw new NodeStartException(
          "cannot start the API on "
              + config.listen()
              + ": "
              + rootMessage(e)
              + " (is the port taken? set api { listen = \"...\" })",
          e);
    }
  }

  /** The names a browser may legitimately put in {@code Host}: this host's and the API's. */
  private static java.util.Set<String> hostNames(ApiConfig config) {
    java.util.Set<String> names = new java.util.HashSet<>();
    String hostname = ConfigLoader.systemHostname();
    if (hostname != null) {
      names.add(hostname);
    }
    if (!config.listen().anyHost()) {
      names.add(config.listen().host());
    }
    return names;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  /**
   * The keys from secret_key on a thread of their own: from the state directory's key cache when it
   * proves to be this secret's, else derived (the Argon2id run is timed in the log, since the first
   * heartbeat waits for it); random keys for a node without peers. Derived keys are cached if
   * {@code mayCache} says so once they are.
   */
  private static CompletableFuture<ClusterKeys> deriveKeys(
      FlywallConfig config, KeyCache cache, java.util.function.BooleanSupplier mayCache)
      throws NodeStartException {
    var replication = config.replication();
    if (replication.secretKey().isEmpty()) {
      if (replication.witnessKey().isPresent()) {
        throw new NodeStartException(
            "this config has witness_key but no secret_key: witness_key is for 'flywall witness';"
                + " a node needs the cluster's secret_key");
      }
      return CompletableFuture.completedFuture(ClusterKeys.random(new SecureRandom()));
    }
    String secret = replication.secretKey().get().value();
    return CompletableFuture.supplyAsync(
        () -> {
          long started = System.nanoTime();
          KeyCache.Outcome outcome = cache.keysFor(secret, mayCache);
          long millis = (System.nanoTime() - started) / 1_000_000;
          if (outcome.source() == KeyCache.Source.CACHE) {
            log.info("cluster keys read from {} in {} ms (Argon2id skipped)", cache.file(), millis);
          } else {
            log.info(
                "cluster keys derived from secret_key in {} ms (Argon2id: {}: {}){}",
                millis,
                outcome.source().meaning(),
                outcome.detail(),
                outcome.written() ? "; cached in " + cache.file() + " for the next start" : "");
          }
          return outcome.keys();
        },
        runnable -> daemonThreads("flywall-kdf").newThread(runnable).start());
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable != null) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // Best effort on a failed start.
      }
    }
  }

  /**
   * Stops the node; the last log line says how its role ended and contains "stopped" (the unit's
   * journal and the operator look for it).
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    reload.close();
    api.close();
    String outcome = node.stop();
    // After the node: a primary's handover may still want conntrackd and the store; then they go
    // with the node.
    connectionSync.close();
    replication.close();
    database.close();
    tcpAnswer.ifPresent(TcpConnectAnswer::close);
    lock.close();
    log.info("node {}: {}; stopped", nodeId, outcome);
  }
}
