package io.flywall.node;

import io.flywall.api.ApiModel;
import io.flywall.api.ApiModel.ClusterInfo;
import io.flywall.api.ApiModel.ClusterNode;
import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.api.ApiModel.HaStatus;
import io.flywall.api.ApiModel.HistoryEntry;
import io.flywall.api.HaMetrics;
import io.flywall.api.HaService;
import io.flywall.api.MonitorFeed;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.HeartbeatSender;
import io.flywall.cluster.HeartbeatTransport;
import io.flywall.cluster.PeerStatus;
import io.flywall.cluster.ReceivedHeartbeat;
import io.flywall.failover.Command;
import io.flywall.failover.CommandReply;
import io.flywall.failover.ControllerView;
import io.flywall.failover.Event;
import io.flywall.failover.FailoverController;
import io.flywall.failover.PeerHeartbeat;
import io.flywall.failover.Role;
import io.flywall.state.History;
import io.flywall.state.HistoryEvent;
import io.flywall.state.StateStoreException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the controller's event loop (a single thread that alone touches the
 * controller), periodic heartbeats and ticks, and the {@link HaService} the API serves.
 */
public final class Node implements HaService, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterPlan plan;
  private final Clock clock;
  private final FailoverController controller;
  private final ScheduledExecutorService loop;
  private final ExecutorService effects;
  private final HeartbeatReceiver receiver;
  private final HeartbeatSender sender;
  private final HeartbeatTransport transport;
  private final History history;
  private final VipGroup vips;
  private final HaMetrics metrics;
  private final MonitorFeed monitor;
  private final ActionRunner runner;
  private Role lastRole;
  private volatile String healthCause = "unhealthy";
  private Instant lastTick;
  private Instant quietUntil;
  // Read by the replication follower thread without a round trip through the loop.
  private volatile long knownEpoch;
  private volatile Optional<String> primaryId = Optional.empty();

  Node(
      ClusterPlan plan,
      Clock clock,
      FailoverController controller,
      ScheduledExecutorService loop,
      ExecutorService effects,
      HeartbeatReceiver receiver,
      HeartbeatSender sender,
      HeartbeatTransport transport,
      History history,
      ActionRunnerFactory runnerFactory,
      VipGroup vips,
      HaMetrics metrics,
      MonitorFeed monitor) {
    this.plan = plan;
    this.clock = clock;
    this.controller = controller;
    this.loop = loop;
    this.effects = effects;
    this.receiver = receiver;
    this.sender = sender;
    this.transport = transport;
    this.history = history;
    this.vips = vips;
    this.metrics = metrics;
    this.monitor = monitor;
    this.runner =
        runnerFactory.create(
            event -> loop.execute(() -> step(event)), () -> loop.execute(this::sendHeartbeats));
    this.lastRole = controller.role();
  }

  /** Builds the runner once the node can take its feedback. */
  interface ActionRunnerFactory {
    ActionRunner create(java.util.function.Consumer<Event> feedback, Runnable announce);
  }

  /** Starts ticking and sending heartbeats. */
  void start() {
    Duration interval = plan.controller().heartbeatInterval();
    long tickMillis = Math.max(10, interval.toMillis() / 4);
    loop.scheduleAtFixedRate(
        guard(() -> step(new Event.Tick())), 0, tickMillis, TimeUnit.MILLISECONDS);
    loop.scheduleAtFixedRate(
        guard(this::sendHeartbeats), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    log.info(
        "node {} started: priority {}, heartbeats on {} to {}, failure timeout {} ms",
        plan.nodeId(),
        plan.controller().priority(),
        plan.heartbeatBind(),
        plan.destinations(),
        plan.controller().failureTimeout().toMillis());
  }

  /** The transport's listener: hands a valid heartbeat to the event loop. */
  void onHeartbeat(ReceivedHeartbeat received) {
    loop.execute(
        () -> {
          PeerHeartbeat peer = HeartbeatMapping.toController(received.heartbeat());
          metrics.heartbeatReceived(peer.nodeId());
          Map<String, Object> event = new LinkedHashMap<>();
          event.put("type", "heartbeat");
          event.put("time", received.receivedAt().toString());
          event.put("peer", peer.nodeId());
          event.put(
              "address",
              received.source().getAddress().getHostAddress() + ":" + received.source().getPort());
          event.put("role", peer.role().name().toLowerCase());
          event.put("epoch", peer.epoch());
          event.put("seq", received.heartbeat().sequence());
          event.put("healthy", peer.healthy());
          received.rtt().ifPresent(rtt -> event.put("rtt_ms", rtt.toNanos() / 1e6));
          monitor.publish(event);
          if (controller.role() == Role.PRIMARY
              && peer.role() == Role.PRIMARY
              && peer.epoch() < controller.epoch()) {
            // A stale primary (resumed from a pause, or back from a partition) may have pulled
            // clients' ARP caches to itself: point them back here while it steps down.
            vips.reannounce();
          }
          step(new Event.HeartbeatReceived(peer));
        });
  }

  /** Replication reports here whether this replica is in sync with the primary. */
  void replicationChanged(boolean inSync, long position) {
    loop.execute(() -> step(new Event.ReplicationChanged(inSync, position)));
  }

  /** The highest epoch this node knows; replication refuses streams from older ones. */
  long knownEpoch() {
    return knownEpoch;
  }

  /** The primary as the controller sees it, unless that is this node. */
  Optional<String> primaryHint() {
    return primaryId.filter(id -> !id.equals(plan.nodeId()));
  }

  /** Where to follow the current primary's replication stream, learned from its heartbeats. */
  Optional<io.flywall.replication.PrimaryTarget> followedPrimary() {
    return primaryHint().flatMap(id -> StateReplication.locate(id, receiver));
  }

  /** Monitors report here; the controller reacts on its own thread. */
  public void healthChanged(boolean healthy, String cause) {
    if (!healthy) {
      healthCause = cause;
    }
    loop.execute(() -> step(new Event.HealthChanged(healthy, cause)));
  }

  private Runnable guard(Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        // A scheduled task that throws is never run again; log and keep the node alive.
        log.error("event loop task failed", e);
      }
    };
  }

  private Optional<CommandReply> step(Event event) {
    Instant now = clock.instant();
    var decision = controller.step(event, now);
    knownEpoch = controller.epoch();
    primaryId = controller.view(now).primaryId();
    runner.submit(decision.actions());
    if (event instanceof Event.Tick) {
      afterTick(now);
    }
    Role role = controller.role();
    if (role != lastRole) {
      Map<String, Object> published = new LinkedHashMap<>();
      published.put("type", "role");
      published.put("time", now.toString());
      published.put("from", lastRole.name().toLowerCase());
      published.put("to", role.name().toLowerCase());
      published.put("epoch", controller.epoch());
      monitor.publish(published);
      lastRole = role;
    }
    return decision.reply();
  }

  private void afterTick(Instant now) {
    if (lastTick != null
        && Duration.between(lastTick, now).compareTo(plan.controller().failureTimeout()) > 0) {
      // This process was paused (SIGSTOP, VM freeze): another node may hold the role now. Stay
      // quiet on the LAN until peers have had a heartbeat interval to tell us.
      quietUntil = now.plus(plan.controller().heartbeatInterval().multipliedBy(2));
      log.warn(
          "resumed after a pause of {} ms: no VIP announcements until {}",
          Duration.between(lastTick, now).toMillis(),
          quietUntil);
    }
    lastTick = now;
    ControllerView view = controller.view(now);
    metrics.role(
        view.role().name().toLowerCase(),
        EnumSet.of(Role.INIT, Role.BACKUP, Role.PRIMARY, Role.FAULT).stream()
            .map(r -> r.name().toLowerCase())
            .collect(Collectors.toList()));
    metrics.epoch(view.epoch());
    metrics.healthy(view.healthy());
    metrics.quorum(view.quorum().visible(), view.quorum().required());
    // The controller's view is the truth about alarms; the gauge follows it every tick.
    metrics.alarm(
        FailoverController.SPLIT_BRAIN_RISK,
        view.alarms().stream().anyMatch(a -> a.name().equals(FailoverController.SPLIT_BRAIN_RISK)));
    receiver
        .rejections()
        .forEach((reason, count) -> metrics.heartbeatsRejected(reason.name(), count));
    for (PeerStatus peer : receiver.peers().all()) {
      metrics.peer(
          peer.nodeId(),
          Duration.between(peer.lastSeen(), now).toMillis() / 1000.0,
          peer.rtt().map(rtt -> rtt.toNanos() / 1e6).orElse(-1.0));
    }
    vips.tick(view.role() == Role.PRIMARY && (quietUntil == null || now.isAfter(quietUntil)));
  }

  private void sendHeartbeats() {
    Instant now = clock.instant();
    PeerHeartbeat own = controller.heartbeat(now);
    String followed = controller.view(now).primaryId().orElse("");
    sender.send(
        HeartbeatMapping.toWire(own, plan.replicationAddress(), followed),
        HeartbeatMapping.command(own),
        plan.destinations());
    for (InetSocketAddress destination : plan.destinations()) {
      metrics.heartbeatSent(
          destination.getAddress().getHostAddress() + ":" + destination.getPort());
    }
  }

  private <T> T onLoop(Callable<T> work) {
    Future<T> future = loop.submit(work);
    try {
      return future.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (ExecutionException e) {
      throw new IllegalStateException("controller failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the controller did not answer within " + COMMAND_TIMEOUT.toSeconds() + " s");
    }
  }

  // ---- HaService ----

  @Override
  public HaStatus status() {
    ControllerView view = onLoop(() -> controller.view(clock.instant()));
    List<ApiModel.Vip> vipList =
        vips.state().stream()
            .map(v -> new ApiModel.Vip(v.address(), v.interfaceName(), v.held()))
            .collect(Collectors.toList());
    List<ApiModel.Alarm> alarms =
        view.alarms().stream()
            .map(a -> new ApiModel.Alarm(a.name(), a.detail(), null))
            .collect(Collectors.toList());
    var connectionSync = runner.connectionSync().status();
    connectionSync
        .alarms()
        .forEach((name, detail) -> alarms.add(new ApiModel.Alarm(name, detail, null)));
    runner
        .replicationAlarms()
        .forEach((name, detail) -> alarms.add(new ApiModel.Alarm(name, detail, null)));
    return new HaStatus(
        view.nodeId(),
        roleName(view.role()),
        view.epoch(),
        view.priority(),
        view.healthy(),
        view.primaryId().orElse(null),
        new ApiModel.Quorum(
            view.quorum().required(), view.quorum().visible(), view.quorum().hasQuorum()),
        vipList,
        new ApiModel.Failback(
            view.failback().mode().name().toLowerCase(),
            view.failback().enabled(),
            view.failback().pendingUntil().map(Instant::toString).orElse(null)),
        view.since().toString(),
        alarms,
        view.healthy() ? null : healthCause,
        ConntrackReporting.document(connectionSync));
  }

  @Override
  public ClusterInfo cluster() {
    Instant now = clock.instant();
    ControllerView view = onLoop(() -> controller.view(now));
    List<ClusterNode> nodes = new ArrayList<>();
    nodes.add(
        new ClusterNode(
            view.nodeId(),
            roleName(view.role()),
            view.priority(),
            true,
            view.healthy(),
            0L,
            null,
            view.epoch(),
            0,
            plan.heartbeatBind().getAddress().getHostAddress()
                + ":"
                + plan.heartbeatBind().getPort()));
    for (ControllerView.Peer peer : view.peers()) {
      Optional<PeerStatus> wire = receiver.peers().get(peer.nodeId());
      nodes.add(
          new ClusterNode(
              peer.nodeId(),
              peer.witness() ? "witness" : roleName(peer.role()),
              peer.priority(),
              peer.alive(),
              peer.healthy(),
              Duration.between(peer.lastSeen(), now).toMillis(),
              wire.flatMap(PeerStatus::rtt).map(rtt -> rtt.toNanos() / 1e6).orElse(null),
              peer.epoch(),
              peer.replicationPosition(),
              wire.map(w -> w.address().getAddress().getHostAddress() + ":" + w.address().getPort())
                  .orElse(null)));
    }
    return new ClusterInfo(view.epoch(), view.primaryId().orElse(null), nodes);
  }

  @Override
  public List<HistoryEntry> history(int limit) {
    try {
      return history.newest(limit).stream().map(Node::entry).collect(Collectors.toList());
    } catch (StateStoreException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static HistoryEntry entry(HistoryEvent e) {
    return new HistoryEntry(
        e.id(),
        e.time().toString(),
        e.type(),
        e.fromRole(),
        e.toRole(),
        e.nodeId(),
        e.epoch(),
        e.cause(),
        e.durationMs(),
        e.steps().stream()
            .map(s -> new ApiModel.HistoryStep(s.name(), s.durationMs(), s.ok()))
            .collect(Collectors.toList()));
  }

  @Override
  public CommandOutcome failover(Optional<String> target) {
    return command(new Command.Failover(target));
  }

  @Override
  public CommandOutcome setFailback(boolean enabled) {
    return command(new Command.SetFailback(enabled));
  }

  @Override
  public CommandOutcome promote(boolean force) {
    return command(new Command.Promote(force));
  }

  @Override
  public CommandOutcome reset() {
    return command(new Command.Reset());
  }

  private CommandOutcome command(Command command) {
    log.info("operator command: {}", command);
    CommandReply reply =
        onLoop(() -> step(new Event.OperatorCommand(command)))
            .orElse(CommandReply.accepted("accepted"));
    return new CommandOutcome(
        reply.accepted(), reply.message(), reply.from().orElse(null), reply.to().orElse(null));
  }

  static String roleName(Role role) {
    return role.name().toLowerCase();
  }

  /**
   * Stops the node. A primary first hands its role over (as {@code flywall ha failover} would), so
   * a planned stop costs clients milliseconds instead of a failure timeout.
   */
  @Override
  public void close() {
    try {
      if (onLoop(controller::role) == Role.PRIMARY) {
        CommandOutcome handover = command(new Command.Failover(Optional.empty()));
        log.info("stopping: {}", handover.message());
        if (!handover.accepted()) {
          runner.submit(List.of(new io.flywall.failover.Action.RemoveVips()));
        }
        onLoop(() -> null);
      }
    } catch (RuntimeException e) {
      log.warn("stopping without handover: {}", e.getMessage());
    }
    effects.shutdown();
    try {
      effects.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownNow();
    try {
      transport.close();
    } catch (Exception e) {
      log.debug("closing transport: {}", e.toString());
    }
  }
}
