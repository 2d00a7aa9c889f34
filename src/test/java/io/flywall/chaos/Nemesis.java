package io.flywall.chaos;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.network.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries out the schedule against the real cluster: each group's faults at their times, each
 * healed after its duration, then waits for the cluster to converge (at most the convergence bound)
 * and pauses before the next group.
 */
final class Nemesis {
  private final NetLab lab;
  private final LabCluster cluster;
  private final Daemons daemons;
  private final HistoryLog log;
  private final Bounds bounds;
  private final Path dir;

  /** Longest wait for a cluster whose daemons are still starting. */
  private static final long START_CAP_MS = 180_000;

  private final Set<Integer> faulted = new TreeSet<>();
  private int nextId = 1;

  Nemesis(
      NetLab lab, LabCluster cluster, Daemons daemons, HistoryLog log, Bounds bounds, Path dir) {
    this.lab = lab;
    this.cluster = cluster;
    this.daemons = daemons;
    this.log = log;
    this.bounds = bounds;
    this.dir = dir;
  }

  private record Step(long atMs, boolean heal, int index) {}

  /** A fault that has started: on which node, and when. */
  private record Running(Fault fault, int id, int node, long startMs) {}

  /** Runs groups from the schedule until {@code untilMs}; returns the number of groups run. */
  int run(List<FaultGroup> groups, long untilMs) throws Exception {
    int ran = 0;
    for (FaultGroup group : groups) {
      if (log.now() + group.lengthMs() > untilMs) {
        break;
      }
      runGroup(group);
      ran++;
      awaitConverged();
      LockSupport.parkNanos(group.pauseMs() * 1_000_000);
    }
    return ran;
  }

  private void runGroup(FaultGroup group) throws Exception {
    long start = log.now();
    // Heals are due a duration after the fault's actual start: an operator command that took
    // seconds must not shorten the fault that follows it.
    PriorityQueue<Step> steps =
        new PriorityQueue<>(Comparator.comparingLong(Step::atMs).thenComparing(Step::heal));
    for (int i = 0; i < group.faults().size(); i++) {
      steps.add(new Step(group.faults().get(i).offsetMs(), false, i));
    }
    Running[] running = new Running[group.faults().size()];
    while (!steps.isEmpty()) {
      Step step = steps.poll();
      long wait = start + step.atMs() - log.now();
      if (wait > 0) {
        LockSupport.parkNanos(wait * 1_000_000);
      }
      Fault fault = group.faults().get(step.index());
      if (!step.heal()) {
        running[step.index()] = begin(group.index(), fault);
        if (running[step.index()] != null) {
          long due = running[step.index()].startMs() - start + fault.durationMs();
          steps.add(new Step(due, true, step.index()));
        }
      } else {
        end(group.index(), running[step.index()]);
      }
    }
  }

  private Running begin(int group, Fault fault) throws Exception {
    int id = nextId++;
    int node = resolve(fault);
    long startMs = log.now();
    if (node == 0) {
      log.fault(
          new History.FaultRecord(id, group, fault.kind(), 0, fault.param(), startMs, startMs));
      return null;
    }
    faulted.add(node);
    Running running = new Running(fault, id, node, startMs);
    attempt(() -> start(fault, node), "start " + fault.kind() + " on n" + node);
    if (!fault.kind().lasting()) {
      faulted.remove(node);
      log.fault(
          new History.FaultRecord(id, group, fault.kind(), node, fault.param(), startMs, startMs));
      return null;
    }
    return running;
  }

  private void end(int group, Running r) throws Exception {
    attempt(() -> heal(r.fault(), r.node()), "heal " + r.fault().kind() + " on n" + r.node());
    faulted.remove(r.node());
    log.fault(
        new History.FaultRecord(
            r.id(), group, r.fault().kind(), r.node(), r.fault().param(), r.startMs(), log.now()));
  }

  private interface Action {
    void run() throws Exception;
  }

  /** A fault that cannot be carried out is noted; the run goes on, and the checkers judge it. */
  private void attempt(Action action, String what) {
    try {
      action.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    } catch (Exception e) {
      log.note("nemesis could not " + what + ": " + e.getMessage());
      System.err.println("chaos: nemesis could not " + what + ": " + e);
    }
  }

  /** The node the fault hits now; 0 when none fits (every candidate is under another fault). */
  private int resolve(Fault fault) {
    History.Round round = log.lastRound();
    List<Integer> primaries = round == null ? List.of() : round.primaries();
    int primary = primaries.size() == 1 ? primaries.get(0) : 0;
    if (fault.target() == Fault.Target.PRIMARY) {
      return primary != 0 && !faulted.contains(primary) ? primary : 0;
    }
    List<Integer> backups = new ArrayList<>();
    for (int k = 1; k <= daemons.nodes(); k++) {
      if (k != primary && !faulted.contains(k) && !daemons.down(k)) {
        backups.add(k);
      }
    }
    // A planned failover needs a primary to hand over from.
    if (backups.isEmpty() || (fault.kind() == FaultKind.PLANNED_FAILOVER && primary == 0)) {
      return 0;
    }
    return backups.get(fault.pick() % backups.size());
  }

  private void start(Fault fault, int k) throws Exception {
    switch (fault.kind()) {
      case POWER_OFF -> daemons.powerOff(k);
      case FREEZE -> daemons.freeze(k);
      case KILL_RESTART -> daemons.kill(k);
      case SYNC_CUT_BOTH -> cluster.cutSync(k, "both");
      case SYNC_CUT_ONE_WAY -> cluster.cutSync(k, fault.param());
      case SYNC_LOSS -> loseOnSync(k, Integer.parseInt(fault.param()));
      case LINK_CARRIER -> carrier(k, "down");
      case PLANNED_FAILOVER -> {
        int from = log.lastRound().primaries().get(0);
        cli(from, "ha", "failback", "disable");
        cli(from, "ha", "failover", "--to", "n" + k);
      }
      case RESYNC -> cli(k, "replication", "resync");
      case CONNTRACKD_RESTART -> killConntrackd(k);
    }
  }

  private void heal(Fault fault, int k) throws Exception {
    switch (fault.kind()) {
      case POWER_OFF -> daemons.powerOn(k);
      case FREEZE -> daemons.thaw(k);
      case KILL_RESTART -> daemons.start(k);
      case SYNC_CUT_BOTH, SYNC_CUT_ONE_WAY -> cluster.cutSync(k, "none");
      case SYNC_LOSS -> run(k, "nft", "delete", "table", "inet", "fwtloss");
      case LINK_CARRIER -> carrier(k, "up");
      case PLANNED_FAILOVER -> cli(k, "ha", "failback", "enable");
      case RESYNC, CONNTRACKD_RESTART -> {
        // Single actions: nothing to heal.
      }
    }
  }

  /** Waits until n1 is the only primary and VIP holder and every backup is in sync. */
  void awaitConverged() {
    awaitConverged(bounds.convergenceMs());
  }

  void awaitConverged(long limitMs) {
    long from = log.now();
    long deadline = from + limitMs;
    long cap = log.now() + START_CAP_MS;
    // A daemon still starting moves the deadline: the bound counts from its first answer.
    while (!converged(from)
        && log.now() < cap
        && (log.now() < deadline || daemons.starting().isPresent())) {
      if (daemons.starting().isPresent()) {
        deadline = Math.max(deadline, log.now() + limitMs);
      }
      LockSupport.parkNanos(Duration.ofMillis(ClusterWatch.ROUND_MS).toNanos());
    }
  }

  /** Whether the last round, started at or after {@code fromMs}, shows the converged cluster. */
  private boolean converged(long fromMs) {
    History.Round round = log.lastRound();
    // A round polled before the faults healed says nothing of the cluster after them.
    if (round == null
        || round.tMs() < fromMs
        || round.views().size() != daemons.nodes()
        || !round.primaries().equals(List.of(History.PREFERRED))
        || !log.snapshot(daemons.nodes())
            .vipHoldersAt(round.tMs())
            .equals(Set.of(History.PREFERRED))) {
      return false;
    }
    return round.views().entrySet().stream()
        .filter(e -> e.getKey() != History.PREFERRED)
        .allMatch(e -> e.getValue().syncState().equals("in_sync"));
  }

  private void loseOnSync(int k, int percent) throws IOException {
    String sync = lab.get("SYNC_IF");
    String rules =
        """
        table inet fwtloss {
          chain in { type filter hook input priority -20; iifname "%s" numgen random mod 100 < %d drop; }
          chain out { type filter hook output priority -20; oifname "%s" numgen random mod 100 < %d drop; }
        }
        """
            .formatted(sync, percent, sync, percent);
    Path file = Files.writeString(dir.resolve("loss-n" + k + ".nft"), rules);
    run(k, "nft", "-f", file.toString());
  }

  /** The node's LAN link loses carrier: its port on the bridge goes down. */
  private void carrier(int k, String state) {
    CommandResult result =
        lab.in(lab.get("NS_BRIDGE"))
            .run(List.of("ip", "link", "set", "fwt-n" + k + "-lan", state), Duration.ofSeconds(5));
    if (!result.ok()) {
      throw new IllegalStateException(
          "cannot set n" + k + "'s LAN port " + state + ": " + result.describe());
    }
  }

  private void killConntrackd(int k) throws IOException {
    String ns = lab.nodeNamespace(k);
    CommandResult pids = lab.in(ns).run(List.of("ip", "netns", "pids", ns), Duration.ofSeconds(5));
    for (String pid : pids.stdout().split("\\s+")) {
      if (pid.isBlank()) {
        continue;
      }
      Path comm = Path.of("/proc", pid, "comm");
      if (Files.exists(comm) && Files.readString(comm).strip().equals("conntrackd")) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private void run(int k, String... argv) {
    CommandResult result = lab.in(lab.nodeNamespace(k)).run(List.of(argv), Duration.ofSeconds(10));
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
  }

  /**
   * An operator command; a refusal is part of the run (recorded in the daemon's history), not an
   * error.
   */
  private void cli(int k, String... args) {
    CommandResult result = cluster.cli(k, args);
    if (!result.ok()) {
      log.note(
          "n"
              + k
              + " refused: flywall "
              + String.join(" ", args)
              + ": "
              + result.describe().strip());
    }
  }
}
