package io.flywall.node;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.HeartbeatSender;
import io.flywall.cluster.HeartbeatTransport;
import io.flywall.cluster.ReceivedHeartbeat;
import io.flywall.failover.Command;
import io.flywall.failover.CommandReply;
import io.flywall.failover.ControllerView;
import io.flywall.failover.Decision;
import io.flywall.failover.Event;
import io.flywall.failover.FailoverController;
import io.flywall.failover.PeerHeartbeat;
import io.flywall.failover.Role;
import io.flywall.network.VipGroup;
import io.flywall.replication.PrimaryTarget;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's event loop: a single thread that alone touches the controller. It steps the
 * controller on ticks, heartbeats, monitor and replication reports and operator commands, hands the
 * actions to the {@link ActionRunner}, and sends this node's heartbeats.
 */
public final class ControllerLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerLoop.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  // Gauges are for scrapes seconds apart: refreshing them on every tick (every 10 ms at a 25 ms
  // heartbeat) would only add garbage and work to the thread that sends heartbeats.
  private static final Duration GAUGE_PERIOD = Duration.ofMillis(250);

  private final ClusterPlan plan;
  private final Clock clock;
  private final FailoverController controller;
  private final ScheduledExecutorService loop;
  private final ExecutorService effects;
  private final HeartbeatReceiver receiver;
  private final HeartbeatSender sender;
  private final HeartbeatTransport transport;
  private final VipGroup vips;
  private final HaMetrics metrics;
  private final MonitorFeed monitor;
  private final ActionRunner runner;
  private final HaGauges gauges;
  private final ClockSkewAlarm clockSkew;
  private Role lastRole;
  private volatile String healthCause = "unhealthy";
  // Read by the replication follower thread without a round trip through the loop.
  private volatile long knownEpoch;
  private volatile Optional<String> primaryId = Optional.empty();
  private final Consumer<Optional<PrimaryTarget>> followPrimary;
  private Optional<PrimaryTarget> followed = Optional.empty();
  private final io.flywall.state.NodeMeta standbyStore;
  // What node_meta holds; a standby asked on a peer changes the controller's on a heartbeat.
  private boolean savedStandby;
  private Optional<String> standbyNotSaved = Optional.empty();
  private Instant gaugesDue = Instant.MIN;
  private boolean sentAny;
  // Set once the health watch judged the monitors: until then no heartbeat claims health.
  private boolean monitorsJudged;
  private java.util.concurrent.ScheduledFuture<?> heartbeats;
  // The extra tick at the controller's next deadline (failure_timeout, probe start, hold end).
  private final DeadlineTick deadlineTick = new DeadlineTick();
  private java.util.concurrent.ScheduledFuture<?> deadlineFuture;
  // Set by start(): before it the controller only listens, and no deadline tick is planned.
  private volatile boolean ticking;

  ControllerLoop(
      ClusterPlan plan,
      Clock clock,
      FailoverController controller,
      ScheduledExecutorService loop,
      ExecutorService effects,
      HeartbeatReceiver receiver,
      HeartbeatSender sender,
      HeartbeatTransport transport,
      ActionRunnerFactory runnerFactory,
      VipGroup vips,
      HaMetrics metrics,
      MonitorFeed monitor,
      Consumer<Optional<PrimaryTarget>> followPrimary,
      io.flywall.state.NodeMeta standbyStore) {
    this.standbyStore = standbyStore;
    this.savedStandby = controller.standby();
    this.followPrimary = followPrimary;
    this.plan = plan;
    this.clock = clock;
    this.controller = controller;
    this.loop = loop;
    this.effects = effects;
    this.receiver = receiver;
    this.sender = sender;
    this.transport = transport;
    this.vips = vips;
    this.metrics = metrics;
    this.monitor = monitor;
    this.gauges = new HaGauges(metrics);
    this.runner =
        runnerFactory.create(
            new ActionRunner.Feedback() {
              @Override
              public void report(Event event) {
                onLoopLater(() -> step(event));
              }

              @Override
              public void reportAndWait(Event event) {
                try {
                  onLoop(() -> step(event));
                } catch (RuntimeException e) {
                  // Stopping: the loop is gone and nothing more will run.
                  log.debug("feedback not delivered: {}", e.getMessage());
                }
              }
            },
            () -> onLoopLater(this::sendHeartbeats));
    this.lastRole = controller.role();
    // Replication asks before the first step (it starts beside the first heartbeats).
    this.knownEpoch = controller.epoch();
    this.clockSkew = new ClockSkewAlarm(receiver, metrics, monitor);
  }

  /** Builds the runner once the node can take its feedback. */
  interface ActionRunnerFactory {
    ActionRunner create(ActionRunner.Feedback feedback, Runnable announce);
  }

  /**
   * Starts sending heartbeats, before the node ticks (DESIGN 10.2: first heartbeat soon after
   * process start, before the slower subsystems). Until {@link #start} the controller only listens:
   * without a tick it neither ends the startup hold by time nor claims anything, and a heartbeat
   * says no more than what is known (role, persisted epoch and standby; not in sync; not healthy
   * until {@link #healthChecked}).
   */
  synchronized void startHeartbeats() {
    if (heartbeats == null) {
      heartbeats =
          loop.scheduleAtFixedRate(
              guard(this::sendHeartbeats),
              0,
              plan.controller().heartbeatInterval().toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The health watch has judged the monitors once (its verdict is already queued on the loop):
   * heartbeats may now say whether this node is healthy.
   */
  void healthChecked() {
    onLoopLater(() -> monitorsJudged = true);
  }

  /** Starts ticking (elections, the startup hold's clock) and sending heartbeats. */
  void start() {
    Duration interval = plan.controller().heartbeatInterval();
    long tickMillis = Math.max(10, interval.toMillis() / 4);
    ticking = true;
    // The periodic tick drives gauges, announcements and the coarser timers; detection and the
    // probe's start are ticked at their exact deadlines besides (see scheduleDeadlineTick).
    loop.scheduleAtFixedRate(
        guard(() -> step(new Event.Tick())), 0, tickMillis, TimeUnit.MILLISECONDS);
    startHeartbeats();
    log.info(
        "node {} started: priority {}, heartbeats on {} to {}, failure timeout {} ms",
        plan.nodeId(),
        plan.controller().priority(),
        hostPort(plan.heartbeatBind()),
        plan.destinations().stream().map(ControllerLoop::hostPort).toList(),
        plan.controller().failureTimeout().toMillis());
  }

  /** "10.0.0.1:9002", not InetSocketAddress's "/10.0.0.1:9002". */
  static String hostPort(InetSocketAddress address) {
    String host =
        address.getAddress() == null
            ? address.getHostString()
            : address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** The transport's listener: hands a valid heartbeat to the event loop. */
  void onHeartbeat(ReceivedHeartbeat received) {
    onLoopLater(
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
          step(new Event.HeartbeatReceived(peer));
        });
  }

  /** Replication reports here whether this replica is in sync with the primary. */
  void replicationChanged(boolean inSync, long position) {
    onLoopLater(() -> step(new Event.ReplicationChanged(inSync, position)));
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
  Optional<PrimaryTarget> followedPrimary() {
    return primaryHint().flatMap(id -> StateReplication.locate(id, receiver));
  }

  /** Monitors report here; the controller reacts on its own thread. */
  public void healthChanged(boolean healthy, String cause) {
    if (!healthy) {
      healthCause = cause;
    }
    onLoopLater(() -> step(new Event.HealthChanged(healthy, cause)));
  }

  /**
   * Queues {@code work} on the loop; dropped once the node stopped (the heartbeat, health and
   * replication threads may still report for a moment, and nothing is left to decide).
   */
  private void onLoopLater(Runnable work) {
    try {
      loop.execute(work);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("stopped: an event after the stop is dropped");
    }
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
    if (controller.standby() != savedStandby) {
      saveStandby(controller.standby());
    }
    knownEpoch = controller.epoch();
    primaryId = controller.primaryId(now);
    Optional<PrimaryTarget> primary = followedPrimary();
    if (!primary.equals(followed)) {
      // Replication drops a stream from any other node at once and follows this one.
      followed = primary;
      followPrimary.accept(primary);
    }
    runner.submit(decision);
    if (event instanceof Event.Tick) {
      afterTick(now);
    }
    scheduleDeadlineTick(now);
    Role role = controller.role();
    if (role == Role.BACKUP && lastRole != Role.BACKUP) {
      // A backup may have to probe the LAN and announce its VIPs at its next takeover: open the
      // sockets now.
      runner.prepareTakeover();
    }
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

  /**
   * Plans one tick at the controller's next deadline, so a silent primary is detected exactly at
   * failure_timeout (the periodic tick alone could be late by up to one period: 10 ms at 25 ms).
   */
  private void scheduleDeadlineTick(Instant now) {
    if (!ticking) {
      return;
    }
    Optional<Instant> deadline = controller.nextDeadline(now);
    deadlineTick
        .plan(deadline, clock.instant())
        .ifPresent(
            delay -> {
              Instant at = deadline.orElseThrow();
              if (deadlineFuture != null) {
                deadlineFuture.cancel(false);
              }
              try {
                deadlineFuture =
                    loop.schedule(
                        guard(
                            () -> {
                              deadlineTick.ran(at);
                              step(new Event.Tick());
                            }),
                        delay.toNanos(),
                        TimeUnit.NANOSECONDS);
              } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("stopped: no deadline tick");
              }
            });
  }

  private void afterTick(Instant now) {
    if (!now.isBefore(gaugesDue)) {
      gaugesDue = now.plus(GAUGE_PERIOD);
      ControllerView view = controller.view(now);
      gauges.refresh(view, receiver, vips.alarms(), now);
    }
    clockSkew.tick(now);
    // Refreshes announcements while the controller says this node speaks for the VIPs.
    vips.tick(controller.announcing(now));
  }

  private void sendHeartbeats() {
    Instant now = clock.instant();
    PeerHeartbeat own = controller.heartbeat(now);
    io.flywall.cluster.NodeStatus status =
        HeartbeatMapping.toWire(own, plan.replicationAddress(), monitorsJudged);
    if (own.standbyRequest().isEmpty()) {
      sender.send(status, HeartbeatMapping.command(own), plan.destinations());
    } else {
      // The request goes only to the node it concerns (whose address its heartbeats told us).
      for (InetSocketAddress destination : plan.destinations()) {
        Optional<String> node =
            receiver.peers().heardFrom(destination).map(p -> p.lastHeartbeat().nodeId());
        sender.send(status, HeartbeatMapping.command(own, node), List.of(destination));
      }
    }
    if (!sentAny) {
      sentAny = true;
      // DESIGN 10.2 asks for this within 1.5 s of process start; say how long it took.
      ProcessAge.millis()
          .ifPresent(age -> log.info("first heartbeat sent {} ms after the process started", age));
    }
    for (InetSocketAddress destination : plan.destinations()) {
      metrics.heartbeatSent(
          destination.getAddress().getHostAddress() + ":" + destination.getPort());
    }
  }

  /** Runs {@code work} on the loop and waits for its answer (queries and operator commands). */
  <T> T onLoop(Callable<T> work) {
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

  /** The controller's view now, taken on the loop. */
  ControllerView view() {
    return onLoop(() -> controller.view(clock.instant()));
  }

  /** Steps an operator command and returns the controller's answer. */
  CommandReply command(Command command) {
    log.info("operator command: {}", describe(command));
    CommandReply reply =
        onLoop(
                () -> {
                  standbyNotSaved = Optional.empty();
                  return step(new Event.OperatorCommand(command));
                })
            .orElse(CommandReply.accepted("accepted"));
    log.info("operator command {}: {}", reply.accepted() ? "accepted" : "refused", reply.message());
    if (reply.accepted() && standbyNotSaved.isPresent()) {
      return new CommandReply(
          true,
          reply.message()
              + " (but it could not be saved: "
              + standbyNotSaved.get()
              + "; a restart would forget it)",
          reply.from(),
          reply.to());
    }
    return reply;
  }

  /** The controller's standby changed (a command here, or one asked on a peer): persisted. */
  private void saveStandby(boolean on) {
    // Tried once per change: a failing disk is not retried on every heartbeat.
    savedStandby = on;
    try {
      // The controller acts at once; the choice must also survive a restart.
      standbyStore.persistStandby(on);
      standbyNotSaved = Optional.empty();
    } catch (io.flywall.state.StateStoreException e) {
      log.error("cannot persist standby={}: {}", on, e.getMessage());
      standbyNotSaved = Optional.of(e.getMessage());
    }
  }

  /** A reload: new controller settings (or none), and what the history should say. */
  void reload(Optional<io.flywall.failover.ControllerSettings> next, String outcome) {
    onLoop(() -> step(new Event.Reload(next, outcome)));
  }

  /** An operator command as the log shows it, in the CLI's words. */
  static String describe(Command command) {
    if (command instanceof Command.Failover f) {
      return "failover" + f.target().map(t -> " --to " + t).orElse("");
    } else if (command instanceof Command.SetFailback s) {
      return "failback " + (s.enabled() ? "enable" : "disable");
    } else if (command instanceof Command.Promote p) {
      return "promote" + (p.force() ? " --force" : "");
    } else if (command instanceof Command.Standby s) {
      return s.on() ? "standby" : "unstandby";
    } else if (command instanceof Command.StandbyOf s) {
      return (s.on() ? "standby " : "unstandby ") + s.node();
    }
    return "reset";
  }

  /** The clock_skew alarm's detail while it is raised. */
  Optional<String> clockSkewDetail() {
    return clockSkew.detail();
  }

  /** What the monitors last reported as unhealthy. */
  String healthCause() {
    return healthCause;
  }

  /**
   * Stops the node and says how its role ended, for the daemon's last log line. A primary first
   * hands its role over (as {@code flywall ha failover} would), so a planned stop costs clients
   * milliseconds instead of a failure timeout.
   */
  String stop() {
    String outcome = handOverForStop();
    // A backup stops probing the LAN: nobody will ask for the verdict.
    runner.close();
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
    return outcome;
  }

  private String handOverForStop() {
    try {
      Role role = onLoop(controller::role);
      if (role != Role.PRIMARY) {
        return role.name().toLowerCase() + ", nothing to hand over";
      }
      log.info("stopping: handing the primary role over");
      CommandReply handover =
          onLoop(() -> step(new Event.OperatorCommand(new Command.Failover(Optional.empty()))))
              .orElse(CommandReply.rejected("the controller did not answer"));
      String outcome;
      if (handover.accepted()) {
        outcome = "handed over to " + handover.to().orElse("the best backup");
      } else {
        outcome = "no peer to hand over to (" + handover.message() + "); VIPs removed";
        // Stopping for good: this overtakes every plan and stops a running script.
        runner.submit(
            new Decision(
                List.of(new io.flywall.failover.Action.RemoveVips()),
                Optional.empty(),
                Long.MAX_VALUE));
      }
      onLoop(() -> null);
      return outcome;
    } catch (RuntimeException e) {
      return "stopping without handover (" + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    stop();
  }
}
