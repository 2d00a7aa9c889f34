package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The real controllers of 2 to 5 nodes (and sometimes a witness) on a simulated clock and network,
 * with faults drawn from one seed (DESIGN section 9). Everything is in milliseconds of simulated
 * time; nothing here reads a real clock, so a seed replays the same schedule exactly.
 */
final class SimulatedCluster {

  static final long INTERVAL = 1000;
  static final long TICK = INTERVAL / 4;
  static final long FAILURE_TIMEOUT = 3000;
  static final long MAX_SKEW = 6000;

  /** The longest a VIP verdict takes: one probe window and the poll that sees it. */
  static final long MAX_PROBE_DELAY = SimulatedRunner.PROBE_WINDOW + 5;

  private static final Instant EPOCH_ZERO = Instant.parse("2024-05-01T00:00:00Z");
  private static final int TRACE_LINES = 80;

  /** Thrown when an invariant breaks; carries the trace tail. */
  static final class Violation extends AssertionError {
    Violation(String message) {
      super(message);
    }
  }

  private record Scheduled(long at, long seq, Runnable job) {}

  final class Node {
    final int index;
    final String id;
    // Both change when a reload reaches the node (the config file it restarts with, too).
    int priority;
    ControllerSettings settings;
    long reloadedAt = -1;
    FailoverController controller;
    int incarnation;
    long startedAt;
    int crashed;
    int paused;
    int unhealthy;
    long persistedEpoch;
    // The operator's standby choice as the node persisted it: a restart starts with it.
    boolean persistedStandby;
    boolean holdsVips;
    // When the VIPs last left this node (their answers on the LAN stopped then).
    long vipsDroppedAt = Long.MIN_VALUE;
    boolean promotedByOperator;
    // A crash is a power-off (streams fall silent) or a kill (the OS closes them).
    boolean poweredOff;
    // As the daemon starts (ControllerLoop.startHeartbeats, then healthChecked, then start): the
    // process hears heartbeats once its socket is bound, sends its own soon after (saying what it
    // knows: its role so far, the persisted epoch and standby, not in sync, not healthy until the
    // monitors were judged), and starts ticking later, after its slower subsystems.
    long heartbeatsSince = Long.MAX_VALUE;
    long monitorsJudgedAt = Long.MAX_VALUE;
    // When this incarnation started its ticks (elections, the startup hold's clock).
    long runningSince = Long.MAX_VALUE;
    // The one extra tick planned at the controller's next deadline (ControllerLoop's DeadlineTick).
    long deadlineTickAt = Long.MAX_VALUE;
    long resumedAt;
    long healthySince;
    // When its controller last left FAULT (others know it as fault until they hear it again).
    long leftFaultAt = Long.MIN_VALUE / 2;
    long leftStandbyAt = Long.MIN_VALUE / 2;
    long inSyncChangedAt;
    boolean lastInSync;
    final SimulatedReplication.State replication = new SimulatedReplication.State();
    SimulatedRunner.State runner = new SimulatedRunner.State();
    // An operator's accepted promote ended this incarnation's startup hold for good.
    boolean holdEndedByOperator;
    final Set<String> heard = new HashSet<>();
    // Monitor changes and commands that reach a paused node wait here, in order, until it resumes.
    final List<Event> backlog = new ArrayList<>();

    Node(int index, String id, int priority, ControllerSettings settings) {
      this.index = index;
      this.id = id;
      this.priority = priority;
      this.settings = settings;
    }

    boolean up() {
      return crashed == 0 && paused == 0;
    }

    boolean isPrimary() {
      return crashed == 0 && controller.role() == Role.PRIMARY;
    }

    void dropVips(long at) {
      if (holdsVips) {
        holdsVips = false;
        vipsDroppedAt = at;
      }
    }

    boolean inSyncFlag() {
      return controller.heartbeat(instant()).inSync();
    }
  }

  /** A voter that never competes: it only answers heartbeats with what it sees. */
  final class Witness {
    final int index;
    long knownEpoch;
    final long[] lastSeen;

    Witness(int index, int nodes) {
      this.index = index;
      this.lastSeen = new long[nodes];
      java.util.Arrays.fill(lastSeen, Long.MIN_VALUE / 2);
    }

    PeerHeartbeat heartbeat() {
      int visible = 1;
      for (long seen : lastSeen) {
        if (now - seen <= FAILURE_TIMEOUT) {
          visible++;
        }
      }
      return new PeerHeartbeat(
          "w",
          knownEpoch,
          Role.WITNESS,
          0,
          true,
          true,
          0,
          visible,
          true,
          false,
          0,
          Optional.empty(),
          true,
          false,
          Optional.empty(),
          Optional.empty());
    }
  }

  final long seed;
  final SimulatedRules rules;
  final SplittableRandom random;
  final List<Node> nodes = new ArrayList<>();
  final Witness witness;
  final int endpoints;
  final boolean quorumRequired;
  final boolean probe;
  final long maxDelay;
  final Duration failbackDelay;
  final Duration failbackWindow;
  final FailbackMode failbackMode;
  final Duration startupHold;
  // Per directed link (from, to) over nodes and witness; LAN reachability between nodes.
  final int[][] cut;
  final double[][] loss;
  final boolean[][] slow;
  final int[][] lanCut;
  private final PriorityQueue<Scheduled> queue =
      new PriorityQueue<>(
          (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.seq, y.seq));
  private long seq;
  long now;
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  final Invariants invariants;
  final SimulatedReplication replication;
  final SimulatedRunner runner;
  // Link faults (loss, delay, cuts) in force, and when the last one began or ended.
  int linkFaults;
  long lastLinkFaultChange;

  /** How often each transition type was recorded, to show what a run exercised. */
  final java.util.Map<String, Integer> transitions = new java.util.TreeMap<>();

  SimulatedCluster(long seed, SimulatedRules rules) {
    this.seed = seed;
    this.rules = rules;
    this.random = new SplittableRandom(seed);
    int n = 2 + random.nextInt(4);
    boolean hasWitness = random.nextInt(3) == 0;
    QuorumMode mode = QuorumMode.values()[random.nextInt(3)];
    this.probe = random.nextBoolean();
    this.maxDelay = new long[] {2, 20, 150}[random.nextInt(3)];
    this.failbackMode = FailbackMode.values()[random.nextInt(3)];
    this.failbackDelay = Duration.ofMillis(new long[] {0, 2000, 5000}[random.nextInt(3)]);
    this.failbackWindow = Duration.ofMillis(new long[] {0, 0, 10_000}[random.nextInt(3)]);
    this.startupHold = Duration.ofMillis(new long[] {FAILURE_TIMEOUT, 5000}[random.nextInt(2)]);
    this.endpoints = n + (hasWitness ? 1 : 0);
    this.cut = new int[endpoints][endpoints];
    this.loss = new double[endpoints][endpoints];
    this.slow = new boolean[endpoints][endpoints];
    this.lanCut = new int[n][n];
    for (int i = 0; i < n; i++) {
      String id = "n" + (i + 1);
      int priority = 10 * (1 + random.nextInt(n));
      ControllerSettings settings =
          new ControllerSettings(
              id,
              priority,
              failbackMode,
              failbackDelay,
              failbackWindow,
              Duration.ofMillis(INTERVAL),
              Duration.ofMillis(FAILURE_TIMEOUT),
              mode,
              n - 1,
              hasWitness,
              probe,
              startupHold);
      nodes.add(new Node(i, id, priority, settings));
    }
    this.witness = hasWitness ? new Witness(n, n) : null;
    this.quorumRequired = QuorumRule.of(nodes.get(0).settings).isRequired();
    this.replication = new SimulatedReplication(this);
    this.runner = new SimulatedRunner(this);
    this.invariants = new Invariants(this);
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(nodes.size()).append(" nodes");
    for (Node node : nodes) {
      sb.append(' ').append(node.id).append("(prio ").append(node.priority).append(')');
    }
    sb.append(witness != null ? " + witness" : "")
        .append(", quorum ")
        .append(nodes.get(0).settings.quorumMode())
        .append(quorumRequired ? " (required)" : " (not required)")
        .append(", probe ")
        .append(probe)
        .append(", max delay ")
        .append(maxDelay)
        .append(" ms, failback ")
        .append(failbackMode)
        .append(" delay ")
        .append(failbackDelay.toMillis())
        .append(" window ")
        .append(failbackWindow.toMillis())
        .append(", startup hold ")
        .append(startupHold.toMillis());
    return sb.toString();
  }

  Instant instant() {
    return EPOCH_ZERO.plusMillis(now);
  }

  /** An instant of this run in its milliseconds. */
  long millis(Instant at) {
    return Duration.between(EPOCH_ZERO, at).toMillis();
  }

  void at(long time, Runnable job) {
    queue.add(new Scheduled(Math.max(time, now), seq++, job));
  }

  void runUntil(long end) {
    while (!queue.isEmpty() && queue.peek().at <= end) {
      Scheduled next = queue.poll();
      now = next.at;
      next.job.run();
      invariants.check();
    }
    now = end;
    invariants.check();
  }

  void note(String line) {
    if (trace.size() == TRACE_LINES) {
      trace.removeFirst();
    }
    trace.addLast(String.format("%8d ms  %s", now, line));
  }

  String traceTail() {
    return String.join("\n", trace);
  }

  // ---- lifecycle ----

  void start() {
    // A third of the runs are cold starts spread over many seconds, nodes started by hand.
    long spread = random.nextInt(3) == 0 ? 20_000 : 2 * INTERVAL;
    for (Node node : nodes) {
      boot(node, random.nextLong(0, spread));
    }
    if (witness != null) {
      long phase = random.nextLong(0, INTERVAL);
      at(
          phase,
          new Runnable() {
            @Override
            public void run() {
              PeerHeartbeat hb = witness.heartbeat();
              for (Node node : nodes) {
                send(witness.index, node.index, hb);
              }
              at(now + INTERVAL, this);
            }
          });
    }
  }

  private void boot(Node node, long delay) {
    int incarnation = ++node.incarnation;
    at(
        now + delay,
        () -> {
          if (node.incarnation != incarnation) {
            return;
          }
          node.controller =
              rules
                  .controllers()
                  .create(node.settings, node.persistedEpoch, node.persistedStandby, instant());
          node.startedAt = now;
          node.heard.clear();
          node.dropVips(now);
          node.poweredOff = false;
          node.healthySince = now;
          node.inSyncChangedAt = now;
          node.lastInSync = false;
          node.promotedByOperator = false;
          node.holdEndedByOperator = false;
          node.backlog.clear();
          // The process hears heartbeats as soon as its socket is bound and sends its own soon
          // after; its ticks start once the rest of it is up, which can take seconds on a busy
          // machine. The monitors are judged in between.
          long skew = random.nextBoolean() ? random.nextLong(0, 200) : random.nextLong(0, MAX_SKEW);
          long heartbeatsIn;
          long judgedIn;
          if (rules.start() == SimulatedRules.Start.HEARTBEATS_FIRST) {
            heartbeatsIn = random.nextLong(0, Math.min(skew, 200) + 1);
            judgedIn = random.nextLong(heartbeatsIn, skew + 1);
          } else {
            // As 3581d2d: heartbeats begin with the first tick (scheduleTimers adds the phase).
            heartbeatsIn = skew;
            judgedIn = skew;
          }
          node.heartbeatsSince = now + heartbeatsIn;
          node.monitorsJudgedAt = now + judgedIn;
          node.runningSince = now + skew;
          node.deadlineTickAt = Long.MAX_VALUE;
          note(
              node.id
                  + " starts at persisted epoch "
                  + node.persistedEpoch
                  + ", heartbeats in "
                  + heartbeatsIn
                  + " ms, monitors judged in "
                  + (node.monitorsJudgedAt - now)
                  + " ms, running in "
                  + skew
                  + " ms");
          runner.boot(node);
          replication.boot(node);
          if (node.unhealthy > 0) {
            step(node, new Event.HealthChanged(false, "simulated monitor failure"));
          }
          scheduleTimers(node, incarnation, heartbeatsIn, skew);
        });
  }

  /** Runs {@code job} every {@code period} ms while this incarnation of the node lives. */
  void every(Node node, int incarnation, long period, Runnable job) {
    at(
        now + random.nextLong(0, period),
        new Runnable() {
          @Override
          public void run() {
            if (node.incarnation != incarnation || node.crashed > 0) {
              return;
            }
            job.run();
            at(now + period, this);
          }
        });
  }

  private void scheduleTimers(Node node, int incarnation, long heartbeatsIn, long skew) {
    if (rules.start() == SimulatedRules.Start.WITH_FIRST_TICK) {
      // As this model drew it for 3581d2d (the same draws, so its seeds replay): a random phase
      // after a quick start.
      heartbeatsIn = skew + (skew < 200 ? random.nextLong(0, INTERVAL) : 0);
      node.heartbeatsSince = now + heartbeatsIn;
    }
    at(
        now + heartbeatsIn,
        new Runnable() {
          @Override
          public void run() {
            if (node.incarnation != incarnation || node.crashed > 0) {
              return;
            }
            if (node.paused == 0) {
              broadcast(node);
            }
            at(now + INTERVAL, this);
          }
        });
    at(
        now + skew + random.nextLong(0, TICK),
        new Runnable() {
          @Override
          public void run() {
            if (node.incarnation != incarnation || node.crashed > 0) {
              return;
            }
            if (node.paused == 0) {
              step(node, new Event.Tick());
            }
            at(now + TICK, this);
          }
        });
  }

  void crash(Node node) {
    if (node.crashed++ == 0) {
      node.incarnation++;
      node.poweredOff = random.nextBoolean();
      // A killed daemon leaves its VIPs on the interfaces (the kernel answers for them) until it
      // starts again and removes them; a host without power answers for nothing.
      if (node.poweredOff) {
        node.dropVips(now);
      }
      node.runningSince = Long.MAX_VALUE;
      node.heartbeatsSince = Long.MAX_VALUE;
      node.monitorsJudgedAt = Long.MAX_VALUE;
      node.deadlineTickAt = Long.MAX_VALUE;
      replication.crashed(node, node.poweredOff);
      note(
          node.id
              + (node.poweredOff ? " loses power" : " is killed")
              + " (role "
              + (node.controller == null ? "none" : node.controller.role())
              + ")");
      // The process is gone; a restart builds a new controller from the persisted epoch.
      node.controller = null;
    }
  }

  void restart(Node node) {
    if (node.crashed > 0 && --node.crashed == 0) {
      boot(node, 0);
    }
  }

  void pause(Node node) {
    if (node.paused++ == 0) {
      note(node.id + " paused");
    }
  }

  void resume(Node node) {
    if (node.paused > 0 && --node.paused == 0) {
      note(node.id + " resumes");
      node.resumedAt = now;
      if (node.crashed == 0 && node.controller != null) {
        List<Event> backlog = List.copyOf(node.backlog);
        node.backlog.clear();
        for (Event event : backlog) {
          step(node, event);
        }
        replication.resumed(node);
      }
    }
  }

  void sicken(Node node) {
    if (node.unhealthy++ == 0 && node.crashed == 0) {
      stepWhenUp(node, new Event.HealthChanged(false, "simulated link eth1 down"));
    }
  }

  void heal(Node node) {
    if (node.unhealthy > 0 && --node.unhealthy == 0) {
      node.healthySince = now;
    }
    if (node.unhealthy == 0 && node.crashed == 0 && node.controller != null) {
      stepWhenUp(node, new Event.HealthChanged(true, "simulated link eth1 up"));
    }
  }

  /**
   * A monitor change or command reaches a paused node once it resumes, in order; a crashed node
   * drops it.
   */
  void stepWhenUp(Node node, Event event) {
    if (node.crashed > 0) {
      return;
    }
    if (node.paused > 0 || node.controller == null) {
      node.backlog.add(event);
      return;
    }
    step(node, event);
  }

  void command(Node node, Command command) {
    stepWhenUp(node, new Event.OperatorCommand(command));
  }

  /** An operator edits the node's priority and reloads (SIGHUP); a crashed node misses it. */
  void reload(Node node, int priority) {
    ControllerSettings s = node.settings;
    ControllerSettings next =
        new ControllerSettings(
            s.nodeId(),
            priority,
            s.failbackMode(),
            s.failbackDelay(),
            s.failbackWindow(),
            s.heartbeatInterval(),
            s.failureTimeout(),
            s.quorumMode(),
            s.configuredPeers(),
            s.hasWitness(),
            s.probeBeforeClaim(),
            s.startupHold());
    stepWhenUp(
        node,
        new Event.Reload(
            Optional.of(next), "reloaded: priority " + s.priority() + " -> " + priority));
  }

  // ---- network ----

  void broadcast(Node from) {
    PeerHeartbeat own = from.controller.heartbeat(instant());
    // As HeartbeatMapping.toWire: no heartbeat claims health before the monitors were judged (it
    // says the health is pending), and each carries the process's boot id.
    boolean pending = now < from.monitorsJudgedAt && own.healthy();
    PeerHeartbeat hb =
        io.flywall.testing.PeerHeartbeats.withHealth(
            own, own.healthy() && !pending, pending, from.incarnation);
    for (Node to : nodes) {
      if (to != from) {
        send(from.index, to.index, hb);
      }
    }
    if (witness != null) {
      send(from.index, witness.index, hb);
    }
  }

  private void send(int from, int to, PeerHeartbeat hb) {
    if (cut[from][to] > 0 || (loss[from][to] > 0 && random.nextDouble() < loss[from][to])) {
      return;
    }
    at(now + linkDelay(from, to), () -> deliver(to, hb));
  }

  private void deliver(int to, PeerHeartbeat hb) {
    if (witness != null && to == witness.index) {
      int from = indexOf(hb.nodeId());
      witness.lastSeen[from] = now;
      witness.knownEpoch = Math.max(witness.knownEpoch, hb.epoch());
      return;
    }
    Node node = nodes.get(to);
    if (node.crashed == 0 && node.paused > 0 && node.controller != null) {
      // As the kernel does for a stopped process: the datagram waits in the socket's buffer and
      // is read when the node resumes (dropping it made a short pause look like lost heartbeats).
      node.backlog.add(new Event.HeartbeatReceived(hb));
      node.heard.add(hb.nodeId());
      return;
    }
    if (!node.up() || node.controller == null) {
      return;
    }
    node.heard.add(hb.nodeId());
    step(node, new Event.HeartbeatReceived(hb));
  }

  /** Delivers a stream's bytes: lost on a cut link, late when TCP must retransmit. */
  void transmit(int from, int to, Runnable job) {
    if (cut[from][to] > 0) {
      return;
    }
    long delay = linkDelay(from, to);
    if (loss[from][to] > 0 && random.nextDouble() < loss[from][to]) {
      delay += 200;
    }
    at(now + delay, job);
  }

  boolean reachable(int a, int b) {
    return cut[a][b] == 0 && cut[b][a] == 0;
  }

  long linkDelay(int from, int to) {
    return slow[from][to] ? random.nextLong(maxDelay / 2, maxDelay + 1) : random.nextLong(1, 3);
  }

  Node node(String id) {
    return nodes.get(indexOf(id));
  }

  /** A link fault begins or ends. */
  void linkFault(int delta) {
    linkFaults += delta;
    lastLinkFaultChange = now;
  }

  private int indexOf(String id) {
    return Integer.parseInt(id.substring(1)) - 1;
  }

  // ---- executing a controller's decisions ----

  void step(Node node, Event event) {
    if (event instanceof Event.OperatorCommand c && c.c() instanceof Command.Promote) {
      node.promotedByOperator = true;
    }
    Role before = node.controller.role();
    boolean wasStandby = node.controller.standby();
    Decision d = node.controller.step(event, instant());
    if (before == Role.FAULT && node.controller.role() != Role.FAULT) {
      node.leftFaultAt = now;
    }
    if (wasStandby && !node.controller.standby()) {
      node.leftStandbyAt = now;
    }
    if (event instanceof Event.Reload r && r.next().isPresent()) {
      node.settings = r.next().get();
      node.priority = node.settings.priority();
      node.reloadedAt = now;
    }
    // As ControllerLoop does: persisted whenever the controller's changed (a command on this
    // node, or a request another node carried in its heartbeats).
    node.persistedStandby = node.controller.standby();
    if (event instanceof Event.OperatorCommand c
        && c.c() instanceof Command.Promote
        && d.reply().map(CommandReply::accepted).orElse(false)) {
      node.holdEndedByOperator = true;
    }
    if (!(event instanceof Event.Tick) || !d.actions().isEmpty()) {
      note(
          node.id
              + " "
              + describe(event)
              + " -> "
              + node.controller.role()
              + "@"
              + node.controller.epoch()
              + d.reply()
                  .map(r -> " reply " + (r.accepted() ? "accepted: " : "rejected: ") + r.message())
                  .orElse(""));
    }
    for (Action action : d.actions()) {
      if (action instanceof Action.Record r) {
        recorded(node, r.transition());
      }
    }
    invariants.probeVerdictRespected(node, event, d);
    runner.submit(node, d);
    if (before == Role.PRIMARY && node.controller.role() != Role.PRIMARY) {
      node.promotedByOperator = false;
    }
    boolean inSync = node.inSyncFlag();
    if (inSync != node.lastInSync) {
      node.lastInSync = inSync;
      node.inSyncChangedAt = now;
    }
    replication.controllerStepped(node);
    planDeadlineTick(node);
  }

  /**
   * As ControllerLoop: one extra tick at the controller's next deadline (a peer overdue or dead,
   * the startup hold's end), beside the periodic ticks; a nearer deadline gets its own tick. The
   * simulation counts whole milliseconds, so the tick comes at the first millisecond at or after
   * the deadline.
   */
  private void planDeadlineTick(Node node) {
    if (node.controller == null
        || now < node.runningSince
        || rules.start() != SimulatedRules.Start.HEARTBEATS_FIRST) {
      return;
    }
    Optional<Instant> deadline = node.controller.nextDeadline(instant());
    if (deadline.isEmpty()) {
      return;
    }
    Duration after = Duration.between(EPOCH_ZERO, deadline.get());
    long at = after.toMillis() + (after.toNanosPart() % 1_000_000 == 0 ? 0 : 1);
    if (node.deadlineTickAt > now && node.deadlineTickAt <= at) {
      return;
    }
    node.deadlineTickAt = at;
    int incarnation = node.incarnation;
    at(
        at,
        () -> {
          if (node.incarnation != incarnation || node.crashed > 0 || node.controller == null) {
            return;
          }
          if (node.deadlineTickAt == at) {
            node.deadlineTickAt = Long.MAX_VALUE;
          }
          // A paused process ticks on resuming through its periodic tick.
          if (node.paused == 0) {
            step(node, new Event.Tick());
          }
        });
  }

  /** A transition the controller decided on: counted, traced, and judged by invariant (L-a). */
  private void recorded(Node node, Transition t) {
    // Traced first, so that a violation's trace ends with the transition it judged.
    note(
        "   "
            + node.id
            + " records "
            + t.type()
            + " "
            + t.fromRole()
            + "->"
            + t.toRole()
            + " @"
            + t.epoch()
            + ": "
            + t.cause());
    transitions.merge(t.type().label(), 1, Integer::sum);
    if (t.type() == TransitionType.TAKEOVER && !t.cause().startsWith("planned handover")) {
      invariants.elected(node);
    }
    if ((t.type() == TransitionType.TAKEOVER || t.type() == TransitionType.PROMOTE)
        && node.controller.standby()) {
      invariants.standbyTookOver(node, t);
    }
  }

  private static String describe(Event event) {
    if (event instanceof Event.HeartbeatReceived h) {
      PeerHeartbeat hb = h.hb();
      return "hears "
          + hb.nodeId()
          + " "
          + hb.role()
          + "@"
          + hb.epoch()
          + (hb.hasQuorum() ? "" : " noquorum")
          + (hb.inSync() ? "" : " unsynced")
          + (hb.healthy() ? "" : hb.healthPending() ? " health-pending" : " unhealthy")
          + hb.handover().map(x -> " handover->" + x.target() + "@" + x.epoch()).orElse("");
    }
    return event.toString();
  }
}
