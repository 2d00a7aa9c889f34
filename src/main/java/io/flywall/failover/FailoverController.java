package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The failover state machine of one node (DESIGN section 4). Like etcd raft's {@code Step}, it has
 * a single entry point: {@link #step(Event, Instant)} updates the state and returns the actions the
 * node must execute in order. It never does I/O, reads no clock and draws no random numbers, so a
 * simulation can drive many of them deterministically.
 */
public final class FailoverController {

  /** Name of the alarm raised when a VIP still answers on the LAN while no primary is heard. */
  public static final String SPLIT_BRAIN_RISK = "split_brain_risk";

  // Replaced by a reload; what a reload may not change is checked in onReload.
  private ControllerSettings settings;
  private final String self;
  private final Duration failureTimeout;
  private final QuorumRule quorum;
  private final PeerTable peers;
  private final FailbackPolicy failback;
  private final Election election;
  private final Fencing fencing;
  private final PlannedHandover handover;
  private final VipProbe probe;
  // A primary heard within this long is not missed yet: no probing (its next heartbeat is not due).
  private final Duration probeAfter;
  private final TickWatch ticks;

  private Role role = Role.INIT;
  // Counts takeovers and releases: steps planned for an older one are stale (StepQueue).
  private long generation;
  // Where in this step's actions each new plan (takeover, release) begins.
  private final List<Integer> plansAt = new ArrayList<>();
  private Instant since;
  private long knownEpoch;
  private long term;
  private String knownEpochFrom = "";
  private boolean holdOver;
  private final Set<String> heardPeers = new TreeSet<>();
  private boolean heardWitness;
  private boolean monitorsHealthy = true;
  private String healthCause = "";
  private String actionFault;
  private boolean inSync;
  private long replicationPosition;
  // The operator's maintenance switch; the node persists it and starts with it.
  private boolean standby;
  // A standby of another node asked here: carried in heartbeats until it shows or expires.
  private Optional<StandbyRequest> asking = Optional.empty();
  private Instant askingUntil = Instant.MIN;
  private long lastRequestId;
  // Per asking node, the last request applied here: each is applied once.
  private final Map<String, Long> appliedRequests = new TreeMap<>();
  private final Map<String, String> alarms = new TreeMap<>();

  public FailoverController(ControllerSettings settings, long persistedEpoch, Instant startedAt) {
    this(settings, persistedEpoch, false, startedAt);
  }

  /**
   * @param persistedStandby the node was in standby when it stopped: it starts ineligible
   */
  public FailoverController(
      ControllerSettings settings,
      long persistedEpoch,
      boolean persistedStandby,
      Instant startedAt) {
    this(
        settings,
        persistedEpoch,
        persistedStandby,
        startedAt,
        Election.untilTheyCouldHearUs(
            Objects.requireNonNull(settings, "settings").failureTimeout()));
  }

  /** With another election rule for peers that report no quorum (the simulation's mutations). */
  FailoverController(
      ControllerSettings settings,
      long persistedEpoch,
      boolean persistedStandby,
      Instant startedAt,
      Election.NoQuorumPeers noQuorumPeers) {
    this.standby = persistedStandby;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.self = settings.nodeId();
    this.failureTimeout = settings.failureTimeout();
    this.quorum = QuorumRule.of(settings);
    this.peers = new PeerTable(failureTimeout);
    this.failback =
        new FailbackPolicy(
            settings.failbackMode(), settings.failbackDelay(), settings.failbackWindow(), self);
    this.election =
        new Election(
            settings, quorum, peers, Objects.requireNonNull(noQuorumPeers, "noQuorumPeers"));
    this.fencing = new Fencing(settings, quorum, peers);
    this.handover = new PlannedHandover(self, failureTimeout);
    this.ticks = new TickWatch(failureTimeout, settings.heartbeatInterval(), startedAt);
    this.probe = new VipProbe(startedAt);
    // One interval: the next heartbeat is due and has not come. A late one that stops the probe
    // again costs one request (LanProbe keeps its sockets); the probe then covers two of the
    // three intervals of failure_timeout, which is the whole window at 25 ms.
    this.probeAfter = settings.heartbeatInterval();
    this.since = Objects.requireNonNull(startedAt, "startedAt");
    this.knownEpoch = persistedEpoch;
    this.term = persistedEpoch;
  }

  /** Feeds one event that happened at {@code now}; returns the actions to execute in order. */
  public Decision step(Event event, Instant now) {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(now, "now");
    List<Action> out = new ArrayList<>();
    CommandReply reply = null;
    boolean tick = event instanceof Event.Tick;
    ticks
        .observe(tick, now)
        .ifPresent(
            pause ->
                record(
                    out,
                    TransitionType.PAUSED,
                    role,
                    "resumed after a pause of "
                        + pause.toMillis()
                        + " ms (long enough for live peers to look dead): this node's view is"
                        + " stale, so it claims nothing and announces no VIP until "
                        + ticks.quietUntil(),
                    now));
    if (tick) {
      // Nothing more to note: the rules below run after every event.
    } else if (event instanceof Event.HeartbeatReceived e) {
      onHeartbeat(e.hb(), now, out);
    } else if (event instanceof Event.HealthChanged e) {
      onHealth(e, now, out);
    } else if (event instanceof Event.ReplicationChanged e) {
      inSync = e.inSync();
      replicationPosition = e.position();
    } else if (event instanceof Event.OperatorCommand e) {
      reply = onCommand(e.c(), now, out);
    } else if (event instanceof Event.ProbeFinished e) {
      onProbe(e, now, out);
    } else if (event instanceof Event.ActionFailed e) {
      onActionFailed(e, now, out);
    } else if (event instanceof Event.Reload e) {
      onReload(e, now, out);
    } else {
      throw new IllegalArgumentException("unknown event " + event);
    }
    reconcile(now, tick, out);
    handover.stepped();
    List<Long> generations = new ArrayList<>(out.size());
    long g = generation - plansAt.size();
    for (int i = 0; i < out.size(); i++) {
      if (plansAt.contains(i)) {
        g++;
      }
      generations.add(g);
    }
    plansAt.clear();
    return new Decision(out, Optional.ofNullable(reply), generations);
  }

  /** What this node announces in its heartbeats at {@code now}. */
  public PeerHeartbeat heartbeat(Instant now) {
    int visible = visibleVoters(now);
    return new PeerHeartbeat(
        self,
        epoch(),
        role,
        settings.priority(),
        healthy(),
        role == Role.PRIMARY || inSync,
        replicationPosition,
        visible,
        quorum.isMetBy(visible),
        failback.enabled(),
        failback.version(),
        handover.pending(),
        false,
        standby,
        primaryId(now),
        asking.filter(a -> now.isBefore(askingUntil)));
  }

  public ControllerView view(Instant now) {
    int visible = visibleVoters(now);
    Optional<String> primaryId = primaryId(now);
    Optional<Instant> pendingUntil =
        role == Role.PRIMARY
            ? failbackTarget(now).flatMap(p -> failback.dueAt(p.fitSince().orElseThrow()))
            : Optional.empty();
    List<ControllerView.Alarm> alarmList = new ArrayList<>();
    alarms.forEach((name, detail) -> alarmList.add(new ControllerView.Alarm(name, detail)));
    List<ControllerView.Peer> peerList = new ArrayList<>();
    for (PeerTable.Peer p : peers.all()) {
      PeerHeartbeat hb = p.last();
      peerList.add(
          new ControllerView.Peer(
              hb.nodeId(),
              hb.role(),
              hb.priority(),
              peers.isAlive(p, now),
              hb.healthy(),
              p.lastSeen(),
              hb.epoch(),
              hb.replicationPosition(),
              hb.inSync(),
              hb.witness(),
              hb.standby()));
    }
    return new ControllerView(
        self,
        role,
        epoch(),
        settings.priority(),
        healthy(),
        primaryId,
        new ControllerView.Quorum(quorum.required(), visible, quorum.isMetBy(visible)),
        new ControllerView.Failback(failback.mode(), failback.enabled(), pendingUntil),
        since,
        alarmList,
        peerList,
        handover.pending(),
        standby,
        inSync);
  }

  public Role role() {
    return role;
  }

  /** Whether an operator put this node in standby. */
  public boolean standby() {
    return standby;
  }

  /**
   * The primary as this node sees it: itself when primary, else the alive peer primary with the
   * highest epoch. What {@link #view} says, without building the whole view.
   */
  public Optional<String> primaryId(Instant now) {
    return role == Role.PRIMARY
        ? Optional.of(self)
        : peers.alivePrimary(now).map(PeerTable.Peer::id);
  }

  /**
   * Whether this node may announce the VIPs now (gratuitous ARP refresh): only a primary, and not
   * while it is quiet after a pause.
   */
  public boolean announcing(Instant now) {
    return role == Role.PRIMARY && !ticks.quiet(now);
  }

  /**
   * The earliest instant after {@code now} at which time alone changes what this controller
   * decides: a peer's next heartbeat overdue (the arp_ping probe starts), a peer past
   * failure_timeout (it counts as dead), a competing peer that could now have heard this node, the
   * startup hold's end, the end of the quiet after a pause, the end of the wait for a starting
   * peer, a failback falling due, a handover nobody took, a relayed epoch's hold-off. A tick at
   * that instant detects a failure exactly at failure_timeout instead of up to one tick period
   * later. Empty before the first tick (a node that is not running decides nothing by time) and
   * when nothing is due.
   */
  public Optional<Instant> nextDeadline(Instant now) {
    if (!ticks.running()) {
      return Optional.empty();
    }
    // Asked after every step on the thread that sends heartbeats: no collections, no streams.
    Instant next = null;
    for (PeerTable.Peer peer : peers.all()) {
      // Liveness and the probe use "not after": the rule changes one nanosecond past the instant.
      next = earlier(next, peer.lastSeen().plus(probeAfter).plusNanos(1), now);
      next = earlier(next, peer.lastSeen().plus(failureTimeout).plusNanos(1), now);
      next = earlier(next, peer.aliveSince().plus(failureTimeout), now);
      next = earlier(next, peer.lifeSince().plus(failureTimeout), now);
      // A better peer still starting stops holding the election up.
      Optional<Instant> starting = peer.startingSince();
      if (starting.isPresent()) {
        next = earlier(next, starting.get().plus(settings.startupHold()), now);
      }
      // A primary hands the role back once a better peer was fit for failback_delay (an extra
      // tick for a peer that is not the target decides nothing).
      Optional<Instant> fit = peer.fitSince();
      if (role == Role.PRIMARY && fit.isPresent()) {
        Optional<Instant> due = failback.dueAt(fit.get());
        if (due.isPresent()) {
          next = earlier(next, due.get(), now);
        }
      }
    }
    next = earlier(next, ticks.runningSince().plus(settings.startupHold()), now);
    next = earlier(next, ticks.runningSince().plus(failureTimeout), now);
    // A peer saying "no quorum" stops competing a failure_timeout after this node's heartbeats
    // last started going out again.
    next = earlier(next, ticks.sendingSince().plus(failureTimeout), now);
    if (ticks.quietUntil() != null) {
      next = earlier(next, ticks.quietUntil(), now);
    }
    // A handover nobody took is abandoned; a relayed newer epoch stops holding the election off.
    Optional<Instant> abandon = handover.abandonAt();
    if (abandon.isPresent()) {
      next = earlier(next, abandon.get(), now);
    }
    Optional<Instant> relayed = election.holdOffEnds();
    if (relayed.isPresent()) {
      next = earlier(next, relayed.get(), now);
    }
    return Optional.ofNullable(next);
  }

  /** The earlier of {@code next} and {@code at}, counting {@code at} only if after {@code now}. */
  private static Instant earlier(Instant next, Instant at, Instant now) {
    return at.isAfter(now) && (next == null || at.isBefore(next)) ? at : next;
  }

  /** For a primary its own epoch, otherwise the highest epoch seen; what heartbeats carry. */
  public long epoch() {
    return role == Role.PRIMARY ? term : knownEpoch;
  }

  // ---- events ----

  private void onHeartbeat(PeerHeartbeat hb, Instant now, List<Action> out) {
    if (hb.nodeId().equals(self)) {
      return;
    }
    if (role == Role.PRIMARY
        && hb.role() == Role.PRIMARY
        && hb.epoch() < term
        && !ticks.quiet(now)) {
      // A stale primary (resumed from a pause, back from a partition) may have pulled clients'
      // ARP caches to itself: point them back here while it steps down.
      out.add(new Action.ReannounceVips());
    }
    peers.observe(hb, now);
    if (hb.witness()) {
      heardWitness = true;
    } else {
      heardPeers.add(hb.nodeId());
    }
    if (hb.epoch() > knownEpoch) {
      knownEpoch = hb.epoch();
      knownEpochFrom = hb.nodeId();
      if (hb.role() != Role.PRIMARY) {
        election.relayedEpoch(now);
      }
    }
    // A witness holds no failback setting of its own; whatever it sends must not win a tie.
    if (!hb.witness() && failback.adopt(hb.failbackEnabled(), hb.failbackVersion(), hb.nodeId())) {
      record(
          out,
          TransitionType.FAILBACK_SETTING,
          role,
          "adopted the cluster-wide failback setting from "
              + hb.nodeId()
              + ": "
              + failback.describe()
              + " (version "
              + failback.version()
              + ")",
          now);
    }
    handover.heard(hb, knownEpoch);
    onStandbyRequest(hb, now, out);
  }

  /** A standby asked of this node on a peer, or the answer to one asked here. */
  private void onStandbyRequest(PeerHeartbeat hb, Instant now, List<Action> out) {
    if (asking.isPresent()
        && asking.get().node().equals(hb.nodeId())
        && hb.standby() == asking.get().on()) {
      asking = Optional.empty();
    }
    Optional<StandbyRequest> request = hb.standbyRequest().filter(r -> r.node().equals(self));
    if (request.isEmpty() || request.get().id() <= appliedRequests.getOrDefault(hb.nodeId(), 0L)) {
      return;
    }
    appliedRequests.put(hb.nodeId(), request.get().id());
    String by = " (asked on " + hb.nodeId() + ")";
    CommandReply reply = standby(request.get().on(), by, now, out);
    if (!reply.accepted()) {
      // The asking node only sees that standby never shows; the reason is kept here.
      record(
          out, TransitionType.STANDBY, role, "operator standby" + by + ": " + reply.message(), now);
    }
  }

  private void onHealth(Event.HealthChanged e, Instant now, List<Action> out) {
    if (!e.healthy()) {
      monitorsHealthy = false;
      healthCause = e.cause();
      if (role != Role.FAULT) {
        enterFault("unhealthy: " + e.cause(), now, out);
      }
    } else {
      monitorsHealthy = true;
      healthCause = "";
      if (role == Role.FAULT && actionFault == null) {
        recover("healthy again: " + e.cause(), now, out);
      }
    }
  }

  private CommandReply onCommand(Command command, Instant now, List<Action> out) {
    if (command instanceof Command.Failover f) {
      return failover(f.target(), now, out);
    } else if (command instanceof Command.SetFailback s) {
      failback.set(s.enabled());
      String what = failback.describe() + " (version " + failback.version() + ")";
      record(
          out,
          TransitionType.FAILBACK_SETTING,
          role,
          "operator set failback enabled=" + s.enabled() + ": " + what,
          now);
      out.add(new Action.Announce(Optional.empty()));
      return CommandReply.accepted(what);
    } else if (command instanceof Command.Promote p) {
      return promote(p.force(), now, out);
    } else if (command instanceof Command.Reset) {
      return reset(now, out);
    } else if (command instanceof Command.Standby s) {
      return standby(s.on(), "", now, out);
    } else if (command instanceof Command.StandbyOf s) {
      return s.node().equals(self) ? standby(s.on(), "", now, out) : askStandby(s, now);
    }
    throw new IllegalArgumentException("unknown command " + command);
  }

  /**
   * Priority, failback settings and whether to probe before claiming change live; the next rules
   * (election, failback, fencing) use them at once. The role is kept.
   */
  private void onReload(Event.Reload e, Instant now, List<Action> out) {
    if (e.next().isPresent()) {
      ControllerSettings next = e.next().get();
      ControllerSettings fixed =
          new ControllerSettings(
              settings.nodeId(),
              next.priority(),
              next.failbackMode(),
              next.failbackDelay(),
              next.failbackWindow(),
              settings.heartbeatInterval(),
              settings.failureTimeout(),
              settings.quorumMode(),
              settings.configuredPeers(),
              settings.hasWitness(),
              next.probeBeforeClaim(),
              settings.startupHold());
      if (!fixed.equals(next)) {
        throw new IllegalArgumentException(
            "a reload may change only priority, failback settings and arp_ping, not " + next);
      }
      Optional<String> pendingBefore = pendingFailback(now);
      FailbackMode modeBefore = failback.mode();
      String failbackBefore = failback.describe();
      settings = next;
      election.reconfigure(next);
      fencing.reconfigure(next);
      failback.reconfigure(next.failbackMode(), next.failbackDelay(), next.failbackWindow());
      // Peers learn the new priority now, not at the next interval.
      out.add(new Action.Announce(Optional.empty()));
      String failbackChange =
          failbackChange(modeBefore, failbackBefore, pendingBefore, pendingFailback(now));
      record(out, TransitionType.RELOAD, role, e.outcome() + failbackChange, now);
      return;
    }
    record(out, TransitionType.RELOAD, role, e.outcome(), now);
  }

  /** The failback this primary is waiting for, as "to NODE at TIME", if any. */
  private Optional<String> pendingFailback(Instant now) {
    if (role != Role.PRIMARY) {
      return Optional.empty();
    }
    return failbackTarget(now)
        .flatMap(
            p ->
                failback
                    .dueAt(p.fitSince().orElseThrow())
                    .map(due -> "to " + p.id() + " at " + due));
  }

  /**
   * What a reload did to the failback state, for the history: a new mode reads the cluster-wide
   * setting its own way (auto: enabled unless suspended; manual: armed or not), and a failback this
   * primary was waiting for may stop or start being due.
   */
  private String failbackChange(
      FailbackMode modeBefore,
      String describedBefore,
      Optional<String> pendingBefore,
      Optional<String> pendingAfter) {
    StringBuilder change = new StringBuilder();
    if (failback.mode() != modeBefore) {
      change
          .append("; failback_mode ")
          .append(modeBefore.name().toLowerCase())
          .append(" -> ")
          .append(failback.mode().name().toLowerCase())
          .append(": ")
          .append(describedBefore)
          .append(" is now ")
          .append(failback.describe());
    }
    if (pendingBefore.isPresent() && pendingAfter.isEmpty()) {
      change
          .append("; the failback ")
          .append(pendingBefore.get())
          .append(" is no longer pending")
          .append(
              failback.mode() == FailbackMode.MANUAL
                  ? " ('flywall ha failback enable' arms it)"
                  : failback.mode() == FailbackMode.DISABLED ? " (failback_mode is disabled)" : "");
    } else if (pendingAfter.isPresent() && !pendingAfter.equals(pendingBefore)) {
      change
          .append("; failback ")
          .append(pendingAfter.get())
          .append(pendingBefore.isPresent() ? " (was " + pendingBefore.get() + ")" : "");
    }
    return change.toString();
  }

  private void onProbe(Event.ProbeFinished e, Instant now, List<Action> out) {
    probe.answered(e.conflict(), e.lastAnswerAt(), now);
    if (role != Role.BACKUP) {
      // Asked for as a backup; the role changed meanwhile and the answer decides nothing now.
      return;
    }
    if (e.conflict()) {
      if (!alarms.containsKey(SPLIT_BRAIN_RISK)) {
        String detail =
            "no heartbeat from a primary, but a VIP is still answered on the LAN ("
                + e.detail()
                + "); not taking over";
        alarms.put(SPLIT_BRAIN_RISK, detail);
        out.add(new Action.RaiseAlarm(SPLIT_BRAIN_RISK, detail));
        record(out, TransitionType.SPLIT_BRAIN_RISK, role, detail, now);
      }
      return;
    }
    electionVerdict(now)
        .ifPresent(
            cause ->
                takeover(
                    TransitionType.TAKEOVER,
                    cause + "; VIP probe found no other holder",
                    false,
                    now,
                    out));
  }

  private void onActionFailed(Event.ActionFailed e, Instant now, List<Action> out) {
    Action a = e.action();
    if (a instanceof Action.PersistEpoch || a instanceof Action.AddVips) {
      String what =
          (a instanceof Action.AddVips ? "adding the VIPs" : "persisting the epoch")
              + " failed: "
              + e.detail();
      if (role == Role.PRIMARY) {
        // A primary that cannot fence or cannot serve must make room for one that can.
        actionFault = what;
        enterFault(what, now, out);
      } else {
        record(out, TransitionType.ACTION_FAILED, role, what, now);
      }
    } else if (a instanceof Action.RunScript s) {
      record(
          out,
          TransitionType.SCRIPT_FAILED,
          role,
          s.phase().name().toLowerCase()
              + "_failover_script for "
              + s.event()
              + " failed: "
              + e.detail(),
          now);
    } else if (a instanceof Action.ProbeVips) {
      probe.failed();
    } else {
      record(
          out,
          TransitionType.ACTION_FAILED,
          role,
          a.getClass().getSimpleName() + " failed: " + e.detail(),
          now);
    }
  }

  // ---- operator commands ----

  private CommandReply failover(Optional<String> requested, Instant now, List<Action> out) {
    if (role != Role.PRIMARY) {
      String primary =
          peers
              .alivePrimary(now)
              .map(p -> "the primary is " + p.id())
              .orElse("no primary is known");
      if (handover.pending().isPresent()) {
        primary = "handover to " + handover.pending().get().target() + " in progress";
      }
      return CommandReply.rejected("not primary: " + primary + "; run failover there");
    }
    PeerTable.Peer target;
    if (requested.isPresent()) {
      String id = requested.get();
      if (id.equals(self)) {
        return CommandReply.rejected(
            "no eligible target: " + id + " is this node, already primary");
      }
      Optional<PeerTable.Peer> peer = peers.find(id);
      if (peer.isEmpty()) {
        return CommandReply.rejected("no eligible target: " + id + " is not a known peer");
      }
      Optional<String> why = ineligibility(peer.get(), now);
      if (why.isPresent()) {
        return CommandReply.rejected("no eligible target: " + id + " " + why.get());
      }
      target = peer.get();
    } else {
      target = election.bestTarget(now, p -> ineligibility(p, now).isEmpty()).orElse(null);
      if (target == null) {
        return CommandReply.rejected(
            "no eligible target: no peer is alive, healthy, in sync and with quorum");
      }
    }
    handOver(TransitionType.HANDOVER, target.id(), "operator failover to " + target.id(), now, out);
    return new CommandReply(
        true,
        "handing over from " + self + " to " + target.id(),
        Optional.of(self),
        Optional.of(target.id()));
  }

  private Optional<String> ineligibility(PeerTable.Peer peer, Instant now) {
    PeerHeartbeat hb = peer.last();
    if (hb.witness()) {
      return Optional.of("is a witness");
    }
    if (!peers.isAlive(peer, now)) {
      return Optional.of(
          "is not alive (last heartbeat "
              + Duration.between(peer.lastSeen(), now).toMillis()
              + " ms ago)");
    }
    if (!hb.healthy()) {
      return Optional.of("is unhealthy");
    }
    if (hb.role() != Role.BACKUP) {
      return Optional.of("is " + hb.role().name().toLowerCase() + ", not backup");
    }
    if (hb.standby()) {
      return Optional.of("is in standby");
    }
    if (!hb.inSync()) {
      return Optional.of("is not in sync");
    }
    if (!hb.hasQuorum()) {
      return Optional.of("has no quorum");
    }
    return Optional.empty();
  }

  private CommandReply promote(boolean force, Instant now, List<Action> out) {
    if (role == Role.PRIMARY) {
      return CommandReply.accepted("already primary at epoch " + term);
    }
    if (standby) {
      return CommandReply.rejected(
          "promote refused: this node is in standby; run 'flywall ha unstandby' first");
    }
    if (!ticks.running()) {
      // Nobody hears this node yet: as primary it would be one the cluster cannot see.
      return CommandReply.rejected(
          "promote refused: this node has not started sending heartbeats yet; try again in a"
              + " moment");
    }
    int visible = visibleVoters(now);
    boolean hasQuorum = quorum.isMetBy(visible);
    if (!hasQuorum && !force) {
      return CommandReply.rejected(
          "promote refused: no quorum (" + quorum.describe(visible) + "), use --force");
    }
    if (!healthy() && !force) {
      return CommandReply.rejected(
          "promote refused: node is unhealthy (" + faultDescription() + "), use --force");
    }
    holdOver = true;
    takeover(
        TransitionType.PROMOTE,
        "operator promote"
            + (force ? " --force" : "")
            + (hasQuorum ? "" : " without quorum (" + quorum.describe(visible) + ")"),
        !hasQuorum,
        now,
        out);
    return new CommandReply(
        true, "promoted to primary at epoch " + term, Optional.empty(), Optional.of(self));
  }

  private CommandReply reset(Instant now, List<Action> out) {
    List<String> cleared = new ArrayList<>();
    if (actionFault != null) {
      cleared.add("fault (" + actionFault + ")");
      actionFault = null;
    }
    if (alarms.remove(SPLIT_BRAIN_RISK) != null) {
      out.add(new Action.ClearAlarm(SPLIT_BRAIN_RISK, "cleared by operator reset"));
      cleared.add("split-brain alarm");
    }
    probe.forgetConflict();
    if (failback.reset()) {
      cleared.add("failback suspension");
    }
    cleared.add("failback anti-flap window");
    Role before = role;
    if (role == Role.FAULT && monitorsHealthy) {
      recover("operator reset", now, out);
    }
    String message =
        "cleared "
            + String.join(", ", cleared)
            + (role == Role.FAULT ? "; still in fault: " + faultDescription() : "");
    record(out, TransitionType.RESET, before, role, "operator reset: " + message, now);
    return CommandReply.accepted(message);
  }

  /**
   * How long a standby asked of another node is carried in heartbeats, and how long the asking
   * operator waits for that node to show it: two failure timeouts, but never less than 3 s, because
   * with a 100 ms heartbeat two failure timeouts are 600 ms, which one slow heartbeat on a busy
   * machine (a GC pause, a JIT burst) already uses up.
   */
  public static Duration standbyAnswerWait(Duration failureTimeout) {
    Duration twice = failureTimeout.multipliedBy(2);
    return twice.compareTo(MIN_STANDBY_ANSWER_WAIT) < 0 ? MIN_STANDBY_ANSWER_WAIT : twice;
  }

  private static final Duration MIN_STANDBY_ANSWER_WAIT = Duration.ofSeconds(3);

  /**
   * Another node's standby: carried in this node's heartbeats for {@link #standbyAnswerWait},
   * applied and persisted by that node, which then shows it in its own heartbeats. Refused when
   * that node is not alive here (it would not hear the request either).
   */
  private CommandReply askStandby(Command.StandbyOf s, Instant now) {
    String what = s.on() ? "standby" : "unstandby";
    Optional<PeerTable.Peer> peer =
        peers.all().stream().filter(p -> p.id().equals(s.node())).findFirst();
    if (peer.isEmpty() || !peers.isAlive(peer.get(), now)) {
      return CommandReply.rejected(
          what
              + " of "
              + s.node()
              + " refused: "
              + (peer.isEmpty() ? "this node has never heard it" : "it is not alive here")
              + ", and the request travels in heartbeats; start it, or run 'flywall ha "
              + what
              + "' on "
              + s.node()
              + " itself");
    }
    if (peer.get().last().witness()) {
      return CommandReply.rejected(
          s.node() + " is a witness: it never holds the primary role, so it has no standby");
    }
    if (peer.get().last().standby() == s.on()) {
      return CommandReply.accepted(
          s.node() + (s.on() ? " is already in standby" : " is not in standby"));
    }
    lastRequestId = Math.max(lastRequestId + 1, now.toEpochMilli());
    asking = Optional.of(new StandbyRequest(s.node(), s.on(), lastRequestId));
    askingUntil = now.plus(standbyAnswerWait(failureTimeout));
    return CommandReply.accepted(
        "asked " + s.node() + " to go " + (s.on() ? "into" : "out of") + " standby");
  }

  /** {@code by}: who asked, for the history, when not the operator on this node. */
  private CommandReply standby(boolean on, String by, Instant now, List<Action> out) {
    if (on == standby) {
      return CommandReply.accepted(on ? "already in standby" : "not in standby");
    }
    if (!on) {
      standby = false;
      record(
          out,
          TransitionType.UNSTANDBY,
          role,
          "operator unstandby" + by + ": eligible for the primary role again",
          now);
      out.add(new Action.Announce(Optional.empty()));
      return CommandReply.accepted("out of standby: eligible for the primary role again");
    }
    if (role != Role.PRIMARY) {
      standby = true;
      record(
          out,
          TransitionType.STANDBY,
          role,
          "operator standby" + by + ": not eligible for the primary role until unstandby",
          now);
      out.add(new Action.Announce(Optional.empty()));
      return CommandReply.accepted("in standby: not eligible for the primary role until unstandby");
    }
    // Make before break: the role goes to a node that can take it now, or standby is refused.
    Optional<PeerTable.Peer> target =
        election.bestTarget(now, p -> ineligibility(p, now).isEmpty());
    if (target.isEmpty()) {
      return CommandReply.rejected(
          "standby refused: no peer is alive, healthy, in sync, out of standby and with quorum to"
              + " take the primary role; this node stays primary");
    }
    standby = true;
    String to = target.get().id();
    handOver(
        TransitionType.STANDBY,
        to,
        "operator standby" + by + ": handing the primary role over to " + to,
        now,
        out);
    return new CommandReply(
        true,
        "in standby: handing over from " + self + " to " + to,
        Optional.of(self),
        Optional.of(to));
  }

  // ---- the rules, re-evaluated after every event ----

  private void reconcile(Instant now, boolean tick, List<Action> out) {
    if (role == Role.INIT && holdPassed(now)) {
      changeRole(Role.BACKUP, now);
      record(
          out,
          TransitionType.STARTUP,
          Role.INIT,
          Role.BACKUP,
          heardEveryone()
              ? "startup hold over: heard from every configured peer"
              : "startup hold over: listened for startup_hold ("
                  + settings.startupHold().toMillis()
                  + " ms)",
          now);
    }
    followHandover(now, out);
    if (role == Role.PRIMARY) {
      if (!fence(now, out)) {
        considerFailback(now, out);
      }
    } else if (role == Role.BACKUP) {
      if (handover.offer().isEmpty() || !acceptHandover(handover.offer().get(), now, out)) {
        elect(now, tick, out);
      }
    }
    if (alarms.containsKey(SPLIT_BRAIN_RISK)
        && (role == Role.PRIMARY || peers.alivePrimary(now).isPresent())) {
      alarms.remove(SPLIT_BRAIN_RISK);
      probe.forgetConflict();
      out.add(
          new Action.ClearAlarm(
              SPLIT_BRAIN_RISK,
              role == Role.PRIMARY
                  ? "this node took over after a clean VIP probe"
                  : "heartbeats from primary "
                      + peers.alivePrimary(now).orElseThrow().id()
                      + " resumed"));
    }
    probe.want(probeWanted(now)).ifPresent(out::add);
  }

  /**
   * arp_ping during detection (DESIGN 10.2): a backup that would claim probes the LAN from the
   * moment the primary has been silent for one interval (its next heartbeat is overdue), so the
   * verdict is ready when failure_timeout ends. It stops when a current primary is heard again, on
   * any role change, when it would no longer claim.
   */
  private boolean probeWanted(Instant now) {
    if (!settings.probeBeforeClaim()
        || role != Role.BACKUP
        // In standby it would never claim: nothing to probe for.
        || standby
        || !healthy()
        || handover.pending().isPresent()
        || !ticks.running()
        || ticks.quiet(now)) {
      return false;
    }
    for (PeerTable.Peer p : peers.alive(now)) {
      if (p.last().role() == Role.PRIMARY
          && p.last().epoch() >= knownEpoch
          && !now.isAfter(p.lastSeen().plus(probeAfter))) {
        return false;
      }
    }
    return election.wouldClaim(now, knownEpoch, inSync, ticks.sendingSince());
  }

  private boolean holdPassed(Instant now) {
    // Counted from the first tick: only a running node listens for sure (a process can take
    // seconds to start, or be frozen before it ran at all).
    boolean listenedLongEnough =
        ticks.running() && !now.isBefore(ticks.runningSince().plus(settings.startupHold()));
    if (!holdOver && (listenedLongEnough || heardEveryone())) {
      holdOver = true;
    }
    return holdOver;
  }

  private boolean heardEveryone() {
    return heardPeers.size() >= settings.configuredPeers()
        && (!settings.hasWitness() || heardWitness);
  }

  private void followHandover(Instant now, List<Action> out) {
    handover
        .follow(now, role, knownEpoch)
        .ifPresent(cause -> record(out, TransitionType.HANDOVER_ABANDONED, role, cause, now));
  }

  /** Epoch fencing and quorum: true if this primary stepped down. */
  private boolean fence(Instant now, List<Action> out) {
    Fencing.Verdict verdict = fencing.epochs(now, term, knownEpoch, knownEpochFrom);
    if (verdict instanceof Fencing.Verdict.Reassert r) {
      term = knownEpoch = term + 1;
      out.add(new Action.PersistEpoch(term));
      // Replication must serve under the new epoch too: replicas refuse streams from older ones.
      out.add(new Action.SwitchReplicationRole(Role.PRIMARY));
      out.add(new Action.Announce(Optional.empty()));
      record(
          out,
          TransitionType.REASSERT,
          role,
          "primary "
              + r.rival()
              + " also claims epoch "
              + r.rivalEpoch()
              + " and is less preferred; raised own epoch to "
              + term
              + " so it steps down",
          now);
    }
    if (!(verdict instanceof Fencing.Verdict.StepDown)) {
      verdict = fencing.quorum(visibleVoters(now));
    }
    if (verdict instanceof Fencing.Verdict.StepDown d) {
      d.yieldTo().ifPresent(election::yieldedTo);
      release(d.type(), Role.BACKUP, d.cause(), Optional.empty(), now, out);
      return true;
    }
    return false;
  }

  private void considerFailback(Instant now, List<Action> out) {
    Optional<PeerTable.Peer> target = failbackTarget(now);
    if (target.isEmpty()) {
      return;
    }
    Instant fitSince = target.get().fitSince().orElseThrow();
    Optional<Instant> due = failback.dueAt(fitSince);
    if (due.isEmpty() || now.isBefore(due.get())) {
      return;
    }
    PeerHeartbeat hb = target.get().last();
    String cause =
        "failback to "
            + hb.nodeId()
            + " (priority "
            + hb.priority()
            + " vs own "
            + settings.priority()
            + "): alive, healthy and in sync since "
            + fitSince
            + " for failback_delay ("
            + settings.failbackDelay().toMillis()
            + " ms); "
            + failback.describe();
    failback.fired(now);
    handOver(TransitionType.FAILBACK, hb.nodeId(), cause, now, out);
  }

  /** The best peer better than this primary, if it is fit to take the role back. */
  private Optional<PeerTable.Peer> failbackTarget(Instant now) {
    PeerTable.Peer best = null;
    for (PeerTable.Peer p : peers.alive(now)) {
      PeerHeartbeat hb = p.last();
      if (hb.witness()
          || hb.standby()
          || !hb.healthy()
          || hb.role() == Role.FAULT
          || !Election.isBetter(hb.priority(), hb.nodeId(), settings.priority(), self)) {
        continue;
      }
      if (best == null
          || Election.isBetter(hb.priority(), hb.nodeId(), best.last().priority(), best.id())) {
        best = p;
      }
    }
    // A better node still catching up blocks failback to a middle one: one move, not two.
    return best != null && best.fitSince().isPresent() ? Optional.of(best) : Optional.empty();
  }

  private boolean acceptHandover(PlannedHandover.Offer offer, Instant now, List<Action> out) {
    Handover h = offer.handover();
    if (standby
        || !healthy()
        || !ticks.running()
        || !quorum.isMetBy(visibleVoters(now))
        || h.epoch() < knownEpoch) {
      return false;
    }
    // No VIP probe: the releasing node removed its VIPs before it announced the handover.
    takeover(
        TransitionType.TAKEOVER,
        "planned handover from " + offer.from() + " (epoch " + h.epoch() + ")",
        false,
        now,
        out);
    return true;
  }

  private void elect(Instant now, boolean tick, List<Action> out) {
    Optional<String> cause = electionVerdict(now);
    if (cause.isEmpty()) {
      return;
    }
    if (!settings.probeBeforeClaim()) {
      takeover(TransitionType.TAKEOVER, cause.get(), false, now, out);
      return;
    }
    if (probe.shouldProbe(tick)) {
      probe.requested();
      out.add(new Action.ProbeVips(probe.since(peers.lastHeardPrimary())));
    }
  }

  /** Why this backup should take over now, or empty if it should not. */
  private Optional<String> electionVerdict(Instant now) {
    if (role != Role.BACKUP
        || standby
        || !healthy()
        || handover.pending().isPresent()
        // Not yet heard by anyone, or just back from a pause with a stale view: listen first.
        || !ticks.running()
        || ticks.quiet(now)) {
      return Optional.empty();
    }
    return election.verdict(now, knownEpoch, inSync, ticks.sendingSince());
  }

  // ---- role changes ----

  private void takeover(
      TransitionType type, String cause, boolean withoutQuorum, Instant now, List<Action> out) {
    Role from = role;
    long epoch = knownEpoch + 1;
    knownEpoch = epoch;
    term = epoch;
    changeRole(Role.PRIMARY, now);
    newPlan(out);
    probe.forgetConflict();
    handover.clear();
    election.tookOver();
    fencing.tookOver(withoutQuorum);
    out.addAll(RoleChangeSteps.takeover(type, from, epoch, cause, now));
  }

  private void release(
      TransitionType type,
      Role to,
      String cause,
      Optional<Handover> handingOver,
      Instant now,
      List<Action> out) {
    changeRole(to, now);
    newPlan(out);
    fencing.released();
    // The old primary's copy must be re-validated by replication before it counts as in sync.
    inSync = false;
    out.addAll(RoleChangeSteps.release(type, to, term, cause, handingOver, now));
  }

  private void handOver(
      TransitionType type, String target, String cause, Instant now, List<Action> out) {
    release(type, Role.BACKUP, cause, Optional.of(new Handover(target, term)), now, out);
    handover.start(target, term, now);
  }

  private void enterFault(String cause, Instant now, List<Action> out) {
    if (role == Role.PRIMARY) {
      release(TransitionType.FAULT, Role.FAULT, cause, Optional.empty(), now, out);
      return;
    }
    Role from = role;
    changeRole(Role.FAULT, now);
    record(out, TransitionType.FAULT, from, Role.FAULT, cause, now);
  }

  private void recover(String cause, Instant now, List<Action> out) {
    Role to = holdPassed(now) ? Role.BACKUP : Role.INIT;
    changeRole(to, now);
    record(out, TransitionType.RECOVER, Role.FAULT, to, cause, now);
  }

  /** A takeover or release begins with the next action: a new generation. */
  private void newPlan(List<Action> out) {
    generation++;
    plansAt.add(out.size());
  }

  private void changeRole(Role to, Instant now) {
    if (to != role) {
      role = to;
      since = now;
    }
  }

  // ---- small views of the state ----

  private boolean healthy() {
    return monitorsHealthy && actionFault == null;
  }

  private String faultDescription() {
    return actionFault != null ? actionFault : healthCause;
  }

  private int visibleVoters(Instant now) {
    return Math.min(1 + peers.alive(now).size(), quorum.voters());
  }

  private void record(
      List<Action> out, TransitionType type, Role unchanged, String cause, Instant now) {
    record(out, type, unchanged, unchanged, cause, now);
  }

  private void record(
      List<Action> out, TransitionType type, Role from, Role to, String cause, Instant now) {
    out.add(new Action.Record(new Transition(type, from, to, epoch(), cause, now)));
  }
}
