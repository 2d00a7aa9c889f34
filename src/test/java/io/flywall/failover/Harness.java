package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Drives one controller on simulated time and keeps every action it asked for. */
final class Harness {

  static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  static final Duration INTERVAL = Duration.ofSeconds(1);
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  static final Duration TICK = Duration.ofMillis(250);

  final FailoverController controller;
  Instant now;
  final List<Action> actions = new ArrayList<>();
  Decision last;

  Harness(ControllerSettings settings, long persistedEpoch) {
    this(settings, persistedEpoch, false);
  }

  Harness(ControllerSettings settings, long persistedEpoch, boolean persistedStandby) {
    this.controller = new FailoverController(settings, persistedEpoch, persistedStandby, T0);
    this.now = T0;
  }

  static Settings settings(String id, int priority) {
    return new Settings(id, priority);
  }

  /** Mutable builder for {@link ControllerSettings}, defaulting to a two-node pair. */
  static final class Settings {
    String id;
    int priority;
    FailbackMode mode = FailbackMode.AUTO;
    Duration delay = Duration.ofSeconds(5);
    Duration window = Duration.ZERO;
    QuorumMode quorum = QuorumMode.AUTO;
    int peers = 1;
    boolean witness;
    boolean probe;
    Duration hold = TIMEOUT;
    boolean standby;

    Settings(String id, int priority) {
      this.id = id;
      this.priority = priority;
    }

    Settings failback(FailbackMode m, Duration d, Duration w) {
      mode = m;
      delay = d;
      window = w;
      return this;
    }

    Settings peers(int n) {
      peers = n;
      return this;
    }

    Settings witness() {
      witness = true;
      return this;
    }

    Settings quorum(QuorumMode q) {
      quorum = q;
      return this;
    }

    Settings probe() {
      probe = true;
      return this;
    }

    /** The node was in standby when it last stopped. */
    Settings persistedStandby() {
      standby = true;
      return this;
    }

    Settings startupHold(Duration d) {
      hold = d;
      return this;
    }

    ControllerSettings build() {
      return new ControllerSettings(
          id, priority, mode, delay, window, INTERVAL, TIMEOUT, quorum, peers, witness, probe,
          hold);
    }

    /** Starts a node whose replica is already caught up. */
    Harness start(long epoch) {
      Harness h = startOutOfSync(epoch);
      h.step(new Event.ReplicationChanged(true, 0));
      h.actions.clear();
      return h;
    }

    /** A node that starts running (ticking, sending heartbeats) at T0. */
    Harness startOutOfSync(long epoch) {
      Harness h = new Harness(build(), epoch, standby);
      h.tick();
      h.actions.clear();
      return h;
    }

    /**
     * A node whose controller hears heartbeats before it runs: its first tick is up to the test.
     */
    Harness startNotRunning(long epoch) {
      return new Harness(build(), epoch);
    }
  }

  Decision step(Event e) {
    last = controller.step(e, now);
    actions.addAll(last.actions());
    return last;
  }

  Decision tick() {
    return step(new Event.Tick());
  }

  Decision advance(Duration d) {
    now = now.plus(d);
    return tick();
  }

  Decision hear(Beat beat) {
    return step(new Event.HeartbeatReceived(beat.build()));
  }

  Decision command(Command c) {
    return step(new Event.OperatorCommand(c));
  }

  /** Advances by ticks for {@code d}, hearing {@code beats} once per heartbeat interval. */
  void run(Duration d, Beat... beats) {
    Instant end = now.plus(d);
    Instant nextBeat = now;
    while (now.isBefore(end)) {
      if (!now.isBefore(nextBeat)) {
        for (Beat b : beats) {
          hear(b);
        }
        nextBeat = nextBeat.plus(INTERVAL);
      }
      advance(TICK);
    }
  }

  Role role() {
    return controller.role();
  }

  static boolean has(Decision d, Class<? extends Action> type) {
    return d.actions().stream().anyMatch(type::isInstance);
  }

  boolean everClaimed() {
    return actions.stream().anyMatch(Action.AddVips.class::isInstance);
  }

  List<Transition> records() {
    return actions.stream()
        .filter(Action.Record.class::isInstance)
        .map(a -> ((Action.Record) a).transition())
        .toList();
  }

  List<Class<?>> kinds(Decision d) {
    return d.actions().stream().<Class<?>>map(Object::getClass).toList();
  }

  /** A peer's heartbeat, healthy in-sync backup with quorum by default. */
  static final class Beat {
    String id;
    long epoch;
    Role role = Role.BACKUP;
    int priority = 100;
    boolean healthy = true;
    boolean healthPending;
    boolean inSync = true;
    int visible = 2;
    boolean quorum = true;
    boolean failbackEnabled = true;
    long failbackVersion;
    Optional<Handover> handover = Optional.empty();
    boolean witness;
    boolean standby;
    Optional<String> follows = Optional.empty();
    Optional<StandbyRequest> standbyRequest = Optional.empty();
    long bootId;

    static Beat of(String id, int priority) {
      Beat b = new Beat();
      b.id = id;
      b.priority = priority;
      return b;
    }

    static Beat witness(String id) {
      Beat b = of(id, 0);
      b.witness = true;
      b.role = Role.WITNESS;
      return b;
    }

    Beat primary(long e) {
      role = Role.PRIMARY;
      epoch = e;
      return this;
    }

    Beat backup(long e) {
      role = Role.BACKUP;
      epoch = e;
      return this;
    }

    Beat role(Role r) {
      role = r;
      return this;
    }

    Beat epoch(long e) {
      epoch = e;
      return this;
    }

    Beat healthy(boolean h) {
      healthy = h;
      return this;
    }

    /** A node still starting: in its startup hold, its monitors not judged yet, not in sync. */
    Beat starting() {
      role = Role.INIT;
      healthy = false;
      healthPending = true;
      inSync = false;
      return this;
    }

    /** The sender's process life: a new one says it restarted. */
    Beat boot(long id) {
      bootId = id;
      return this;
    }

    Beat pending(boolean p) {
      healthPending = p;
      return this;
    }

    Beat inSync(boolean s) {
      inSync = s;
      return this;
    }

    Beat quorum(boolean q) {
      quorum = q;
      return this;
    }

    Beat failback(boolean enabled, long version) {
      failbackEnabled = enabled;
      failbackVersion = version;
      return this;
    }

    Beat standby(boolean s) {
      standby = s;
      return this;
    }

    Beat handover(String target, long e) {
      handover = Optional.of(new Handover(target, e));
      return this;
    }

    /** The peer carries an operator's standby ({@code on}) or unstandby of {@code node}. */
    Beat asks(String node, boolean on, long id) {
      standbyRequest = Optional.of(new StandbyRequest(node, on, id));
      return this;
    }

    /** The primary this peer says it follows (a primary follows itself unless told otherwise). */
    Beat follows(String primary) {
      follows = Optional.of(primary);
      return this;
    }

    PeerHeartbeat build() {
      return new PeerHeartbeat(
          id,
          epoch,
          role,
          priority,
          healthy,
          healthPending,
          inSync,
          0,
          visible,
          quorum,
          failbackEnabled,
          failbackVersion,
          handover,
          witness,
          standby,
          role == Role.PRIMARY && follows.isEmpty() ? Optional.of(id) : follows,
          standbyRequest,
          bootId);
    }
  }
}
