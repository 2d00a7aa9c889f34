package io.flywall.failover;

import static io.flywall.failover.SimulatedCluster.FAILURE_TIMEOUT;
import static io.flywall.failover.SimulatedCluster.INTERVAL;
import static io.flywall.failover.SimulatedCluster.MAX_PROBE_DELAY;
import static io.flywall.failover.SimulatedCluster.MAX_SKEW;
import static io.flywall.failover.SimulatedCluster.TICK;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The section 9 invariants, checked after every simulated step. Paused nodes are judged from the
 * moment they resume: a frozen node forwards nothing and decides nothing.
 *
 * <p>Fencing bound between two primaries that hear each other (links up both ways, no loss): one
 * heartbeat interval + 2 x max link delay + one tick. The lesser learns of the better one at once
 * from its announcement (one link delay) or, if it missed it, from the next heartbeat; a higher
 * epoch relayed by a third node takes its next heartbeat (one interval) plus two delays.
 *
 * <p>Between primaries that cannot hear each other only quorum can fence, and a node's view of its
 * quorum is up to one failure_timeout old: a node cut off right after it promoted keeps a (stale)
 * majority until its peers' last heartbeats age past failure_timeout. So for such pairs the bound
 * is failure_timeout + one interval + 2 x max link delay + one tick.
 *
 * <p>(e) Self-fencing: a primary whose own view lacks quorum (where required) releases within one
 * tick, unless an operator forced it.
 *
 * <p>(f) No node starts adding the VIPs unless its controller is primary (a takeover overtaken by a
 * demotion must not go on). (g) A running node that is no longer primary holds the VIPs for at most
 * {@link #VIP_RELEASE_BOUND}: a release never waits behind a script.
 *
 * <p>Convergence bound after all faults heal = 3 x failure_timeout (stale liveness expires, startup
 * hold / relayed-epoch hold / settled-majority wait / abandoned handover) + 2 x interval + the
 * longest start-up skew of a node restarted at the heal + the replication bound (a backup catches
 * up before it is fit for failback) + max VIP probe delay + failback_delay + failback_window (a
 * failback postponed by the window still happens inside the bound).
 *
 * <p>(h) arp_ping guards every election: with arp_ping configured, a node takes over by election
 * only in the step of a verdict that found no other holder (the verdict itself counts a node that
 * held the VIPs at any moment since the first request it counts). (i) A node probes the LAN only as
 * a backup that has not heard a current primary for more than one interval (its next heartbeat is
 * overdue): it stops at once when heartbeats resume, when it takes over or releases, and when it
 * dies.
 *
 * <p>Liveness once the cluster is stable. (L-a) An election picks the preferred node: no node takes
 * over by election while a better node (priority, then in-sync) has been up, healthy, with quorum
 * and reachable for a failure_timeout and two intervals, with no link fault for a failure_timeout
 * and an interval; and at the end the primary is the preferred node unless stickiness keeps it
 * (failback manual, disabled or suspended). (L-b) Every replica follows the primary that has held
 * the role for the replication bound, and reports in sync (status or controller flag) only when it
 * holds exactly the primary's data; at the end every replica is in sync with equal data. (L-c) An
 * election does not pass over a better node that is only starting (heard, healthy by its monitors
 * but not yet judged) for the startup hold or a failure_timeout, whichever is shorter.
 */
final class Invariants {

  private final SimulatedCluster sim;
  final long fencingBound;
  final long partitionedFencingBound;
  final long convergenceBound;
  private final long[][] dualSince;
  private final long[][] sameEpochSince;
  // The same two conditions while the pair hears each other, held to the tighter bound.
  private final long[][] dualConnectedSince;
  private final long[][] sameEpochConnectedSince;
  long healedAt = Long.MAX_VALUE;
  private long notOneSince = -1;
  private final long[] withoutQuorumSince;
  private final long[] primarySince;
  private final long[] vipsWithoutRoleSince;

  /**
   * (g) How long a node may hold the VIPs once it is no longer primary: the release removes them
   * first, behind at most one running step that cannot be stopped (a probe, a commit).
   */
  static final long VIP_RELEASE_BOUND = MAX_PROBE_DELAY + 200;

  Invariants(SimulatedCluster sim) {
    this.sim = sim;
    this.fencingBound = INTERVAL + 2 * sim.maxDelay + TICK;
    this.partitionedFencingBound = FAILURE_TIMEOUT + fencingBound;
    this.convergenceBound =
        3 * FAILURE_TIMEOUT
            + sim.startupHold.toMillis()
            + 2 * INTERVAL
            + MAX_SKEW
            + SimulatedReplication.BOUND
            + MAX_PROBE_DELAY
            + sim.failbackDelay.toMillis()
            + sim.failbackWindow.toMillis();
    int n = sim.nodes.size();
    this.withoutQuorumSince = new long[n];
    Arrays.fill(withoutQuorumSince, -1);
    this.primarySince = new long[n];
    Arrays.fill(primarySince, -1);
    this.vipsWithoutRoleSince = new long[n];
    Arrays.fill(vipsWithoutRoleSince, -1);
    this.dualSince = new long[n][n];
    this.sameEpochSince = new long[n][n];
    this.dualConnectedSince = new long[n][n];
    this.sameEpochConnectedSince = new long[n][n];
    for (long[][] matrix :
        List.of(dualSince, sameEpochSince, dualConnectedSince, sameEpochConnectedSince)) {
      for (long[] row : matrix) {
        Arrays.fill(row, -1);
      }
    }
  }

  void check() {
    int n = sim.nodes.size();
    int primaries = 0;
    for (int i = 0; i < n; i++) {
      SimulatedCluster.Node a = sim.nodes.get(i);
      boolean isPrimary = a.controller != null && a.isPrimary();
      primarySince[i] = !isPrimary ? -1 : primarySince[i] < 0 ? sim.now : primarySince[i];
      boolean strayVips = a.holdsVips && a.up() && a.controller != null && !isPrimary;
      vipsWithoutRoleSince[i] =
          track(
              vipsWithoutRoleSince[i],
              strayVips,
              VIP_RELEASE_BOUND,
              () -> "(g) " + a.id + " holds the VIPs as " + a.controller.role());
      boolean judged = a.controller != null && a.isPrimary() && a.paused == 0;
      boolean fenceDue = judged && sim.quorumRequired && !a.promotedByOperator && !hasQuorum(a);
      withoutQuorumSince[i] =
          track(
              withoutQuorumSince[i],
              fenceDue,
              TICK,
              () -> "(e) " + a.id + " stays primary without quorum");
      if (a.controller == null || !a.isPrimary()) {
        continue;
      }
      primaries++;
      if (a.paused > 0) {
        // A frozen node forwards nothing and decides nothing; it is judged once it resumes.
        continue;
      }
      for (int j = i + 1; j < n; j++) {
        SimulatedCluster.Node b = sim.nodes.get(j);
        boolean both = b.controller != null && b.isPrimary() && b.paused == 0;
        boolean dual = both && sim.quorumRequired && hasQuorum(a) && hasQuorum(b);
        boolean connected = connected(i, j);
        Supplier<String> dualWhat =
            () -> "(a) " + a.id + " and " + b.id + " are both primary with quorum";
        dualSince[i][j] = track(dualSince[i][j], dual, partitionedFencingBound, dualWhat);
        dualConnectedSince[i][j] =
            track(
                dualConnectedSince[i][j],
                dual && connected,
                fencingBound,
                () -> dualWhat.get() + " while hearing each other");
        boolean sameEpoch = both && a.controller.epoch() == b.controller.epoch();
        Supplier<String> sameWhat =
            () ->
                "(b) "
                    + a.id
                    + " and "
                    + b.id
                    + " are both primary at epoch "
                    + a.controller.epoch();
        // Apart, only primaries with quorum can be held to unique epochs: an operator may force
        // a cut-off node primary, and it cannot learn the epoch the majority side chose.
        sameEpochSince[i][j] =
            track(sameEpochSince[i][j], sameEpoch && dual, partitionedFencingBound, sameWhat);
        sameEpochConnectedSince[i][j] =
            track(
                sameEpochConnectedSince[i][j],
                sameEpoch && connected,
                fencingBound,
                () -> sameWhat.get() + " while hearing each other");
      }
    }
    clearPairsOf(n);
    if (healedAt != Long.MAX_VALUE && sim.now >= healedAt + convergenceBound) {
      int count = primaries;
      // An epoch that could not be persisted leaves a node in fault until an operator resets it
      // (its disk cannot be trusted); with every node so, there is none to be primary.
      boolean anyFit = false;
      for (SimulatedCluster.Node node : sim.nodes) {
        anyFit |=
            node.up() && node.controller != null && node.controller.view(sim.instant()).healthy();
      }
      notOneSince =
          track(
              notOneSince,
              primaries > 1 || (primaries == 0 && anyFit),
              fencingBound,
              () ->
                  "(c) "
                      + count
                      + " primaries "
                      + (sim.now - healedAt)
                      + " ms after all faults healed (bound "
                      + convergenceBound
                      + " ms)");
      if (primaries == 1 && sim.now >= healedAt + convergenceBound + SimulatedReplication.BOUND) {
        replicasFollow(false);
      }
    }
  }

  /** (L-b): every replica follows the settled primary, in sync only with exactly its data. */
  private void replicasFollow(boolean atEnd) {
    SimulatedCluster.Node p = null;
    for (SimulatedCluster.Node node : sim.nodes) {
      if (node.controller != null && node.isPrimary()) {
        p = node;
      }
    }
    if (p == null || (!atEnd && sim.now - primarySince[p.index] < SimulatedReplication.BOUND)) {
      return;
    }
    for (SimulatedCluster.Node n : sim.nodes) {
      if (n == p || !n.up() || n.controller == null) {
        continue;
      }
      SimulatedReplication.Stream stream = n.replication.stream;
      boolean follows = stream != null && stream.open && stream.primary == p;
      boolean equal =
          n.replication.position == p.replication.position
              && n.replication.digest == p.replication.digest;
      String where =
          n.id
              + " (at "
              + n.replication.position
              + ", sync_state "
              + n.replication.follow.syncState()
              + ", flag "
              + n.lastInSync
              + ", "
              + (stream == null ? "no stream" : stream.describe())
              + ", problem "
              + n.replication.follow.shownProblem()
              + ") vs primary "
              + p.id
              + " (at "
              + p.replication.position
              + ", primary since "
              + primarySince[p.index]
              + " ms, "
              + (p.replication.serving
                  ? "serving epoch " + p.replication.servingEpoch
                  : "not serving replication")
              + ")";
      if (!follows) {
        fail("(L-b) " + where + ": the replica does not follow the current primary");
      }
      if ((n.replication.follow.syncState().equals("in_sync") || n.lastInSync) && !equal) {
        fail("(L-b) " + where + ": reports in sync without the primary's data");
      }
      if (atEnd && !(n.replication.follow.syncState().equals("in_sync") && equal)) {
        fail("(L-b) " + where + ": not in sync at the end");
      }
    }
  }

  /** (S) A node in standby never becomes primary: not elected, not handed over to, not promoted. */
  void standbyTookOver(SimulatedCluster.Node p, Transition t) {
    fail("(S) " + p.id + " is in standby but recorded " + t.type() + ": " + t.cause());
  }

  /** (h), after every step of {@code node}'s controller. */
  void probeVerdictRespected(SimulatedCluster.Node node, Event event, Decision d) {
    if (!node.settings.probeBeforeClaim()) {
      return;
    }
    for (Action action : d.actions()) {
      if (action instanceof Action.Record r
          && r.transition().type() == TransitionType.TAKEOVER
          && !r.transition().cause().startsWith("planned handover")
          && !(event instanceof Event.ProbeFinished f && !f.conflict())) {
        fail("(h) " + node.id + " took over by election without a clean VIP verdict: " + event);
      }
    }
  }

  /** (i), whenever {@code node}'s runner was handed a decision. */
  void probing(SimulatedCluster.Node node) {
    if (!node.runner.probing || node.controller == null) {
      return;
    }
    ControllerView view = node.controller.view(sim.instant());
    if (view.role() != Role.BACKUP) {
      fail("(i) " + node.id + " probes the LAN as " + view.role());
    }
    if (view.standby()) {
      fail("(i) " + node.id + " probes the LAN in standby, where it would never claim");
    }
    for (ControllerView.Peer peer : view.peers()) {
      if (peer.role() == Role.PRIMARY
          && peer.alive()
          && peer.epoch() >= view.epoch()
          && sim.now - sim.millis(peer.lastSeen()) <= INTERVAL) {
        fail(
            "(i) "
                + node.id
                + " probes the LAN though it heard primary "
                + peer.nodeId()
                + " "
                + (sim.now - sim.millis(peer.lastSeen()))
                + " ms ago");
      }
    }
  }

  /** (L-a), when a node takes over by election. */
  void elected(SimulatedCluster.Node p) {
    if (sim.linkFaults > 0 || sim.now - sim.lastLinkFaultChange < FAILURE_TIMEOUT + INTERVAL) {
      return;
    }
    long settle = FAILURE_TIMEOUT + 2 * INTERVAL;
    for (SimulatedCluster.Node b : sim.nodes) {
      startingPassedOver(p, b);
    }
    for (SimulatedCluster.Node b : sim.nodes) {
      if (b == p
          || !Election.isBetter(b.priority, b.id, p.priority, p.id)
          || !b.up()
          || b.controller == null
          || b.controller.standby()
          || (b.reloadedAt >= 0 && sim.now - b.reloadedAt < settle)
          || b.controller.role() == Role.FAULT
          // Like a node that just became healthy: the others know it as fault until they hear
          // it again, and its announcement waits behind its own takeover's steps.
          || sim.now - b.leftFaultAt < settle
          // The same for a node that just left standby: the others know it as not eligible
          // until they hear it again.
          || sim.now - b.leftStandbyAt < settle
          || !b.controller.view(sim.instant()).healthy()
          || !b.controller.heartbeat(sim.instant()).hasQuorum()
          || sim.now - b.runningSince < settle
          || sim.now - b.resumedAt < settle
          || sim.now - b.healthySince < settle
          || sim.now - b.inSyncChangedAt < INTERVAL + 2 * sim.maxDelay) {
        continue;
      }
      if (b.lastInSync || !p.lastInSync) {
        fail(
            "(L-a) "
                + p.id
                + " (priority "
                + p.priority
                + (p.lastInSync ? ", in sync" : ", not in sync")
                + ") took over by election while "
                + b.id
                + " (priority "
                + b.priority
                + (b.lastInSync ? ", in sync" : ", not in sync")
                + ") has been up, healthy, with quorum and reachable since "
                + Math.max(b.runningSince, Math.max(b.resumedAt, b.healthySince))
                + " ms");
      }
    }
  }

  /**
   * (L-c) An election does not pass over a better node that is only starting: it sends heartbeats
   * (they reached the elected node), its monitors will find it healthy, it is not in standby, but
   * until its monitors were judged its heartbeats cannot say it is healthy. Such a node is waited
   * for a while (here: for the startup hold or a failure_timeout since its first heartbeat,
   * whichever is shorter).
   */
  private void startingPassedOver(SimulatedCluster.Node p, SimulatedCluster.Node b) {
    if (b == p
        || !Election.isBetter(b.priority, b.id, p.priority, p.id)
        || !b.up()
        || b.controller == null
        || b.controller.standby()
        || (b.controller.role() != Role.INIT && b.controller.role() != Role.BACKUP)
        || b.unhealthy > 0
        || b.healthySince > b.startedAt
        || b.resumedAt > b.startedAt
        || (b.reloadedAt >= 0 && b.reloadedAt >= b.startedAt)
        || (p.reloadedAt >= 0 && p.reloadedAt >= b.startedAt)
        || sim.lastLinkFaultChange >= b.heartbeatsSince
        || b.lastInSync
        || p.lastInSync) {
      return;
    }
    long heardBy = Math.max(b.heartbeatsSince, p.startedAt + INTERVAL) + sim.maxDelay + 1;
    long waitedFor = b.heartbeatsSince + Math.min(sim.startupHold.toMillis(), FAILURE_TIMEOUT);
    if (sim.now >= heardBy && sim.now < waitedFor) {
      fail(
          "(L-c) "
              + p.id
              + " (priority "
              + p.priority
              + ") took over by election while "
              + b.id
              + " (priority "
              + b.priority
              + "), healthy by its monitors, was starting: its heartbeats since "
              + b.heartbeatsSince
              + " ms, its monitors judged at "
              + b.monitorsJudgedAt
              + " ms");
    }
  }

  /** The liveness checks of a stable cluster at the end of a run. */
  void atEnd() {
    SimulatedCluster.Node p = null;
    SimulatedCluster.Node best = null;
    for (SimulatedCluster.Node node : sim.nodes) {
      if (node.controller == null || node.crashed > 0) {
        continue;
      }
      if (node.isPrimary()) {
        p = node;
      }
      // A node left in fault (an epoch it could not persist stays a fault until an operator's
      // reset) cannot be the preferred node.
      if (!node.controller.view(sim.instant()).healthy() || node.controller.standby()) {
        continue;
      }
      if (best == null || Election.isBetter(node.priority, node.id, best.priority, best.id)) {
        best = node;
      }
    }
    if (p == null) {
      return;
    }
    replicasFollow(true);
    if (best == null) {
      // Every node is in a fault only an operator clears: nobody to fail back to.
      return;
    }
    ControllerView view = p.controller.view(sim.instant());
    if (p != best
        && Election.isBetter(best.priority, best.id, p.priority, p.id)
        && view.failback().mode() == FailbackMode.AUTO
        && view.failback().enabled()) {
      fail(
          "(L-a) at the end "
              + p.id
              + " (priority "
              + p.priority
              + ") is primary, not the preferred "
              + best.id
              + " (priority "
              + best.priority
              + "), though automatic failback is enabled");
    }
  }

  /** Pairs whose first node is not primary were skipped above; their timers must restart. */
  private void clearPairsOf(int n) {
    for (int i = 0; i < n; i++) {
      SimulatedCluster.Node a = sim.nodes.get(i);
      if (a.controller == null || !a.isPrimary() || a.paused > 0) {
        Arrays.fill(dualSince[i], -1);
        Arrays.fill(sameEpochSince[i], -1);
        Arrays.fill(dualConnectedSince[i], -1);
        Arrays.fill(sameEpochConnectedSince[i], -1);
      }
    }
  }

  private long track(long since, boolean condition, long bound, Supplier<String> what) {
    if (!condition) {
      return -1;
    }
    if (since < 0) {
      return sim.now;
    }
    if (sim.now - since > bound) {
      fail(what.get() + " for " + (sim.now - since) + " ms (bound " + bound + " ms)");
    }
    return since;
  }

  private boolean hasQuorum(SimulatedCluster.Node node) {
    return node.controller.heartbeat(sim.instant()).hasQuorum();
  }

  private boolean connected(int i, int j) {
    return sim.cut[i][j] == 0
        && sim.cut[j][i] == 0
        && sim.loss[i][j] == 0
        && sim.loss[j][i] == 0
        && sim.nodes.get(i).up()
        && sim.nodes.get(j).up()
        // Heartbeats start before the first tick, but only a ticking node can act on what it hears.
        && sim.nodes.get(i).runningSince <= sim.now
        && sim.nodes.get(j).runningSince <= sim.now;
  }

  /**
   * (d): no VIP is claimed before the node's first tick, nor during the startup hold (counted from
   * the node's first tick: before it, the node may not even have been listening), unless an
   * operator's promote ended the hold (for the rest of that incarnation: a node demoted after it
   * may take a handover or an election).
   */
  void claimed(SimulatedCluster.Node node) {
    if (node.controller == null || node.controller.role() != Role.PRIMARY) {
      fail(
          "(f) "
              + node.id
              + " added the VIPs as "
              + (node.controller == null ? "a dead process" : node.controller.role())
              + ": a step of a takeover its controller had given up started");
    }
    if (sim.now < node.runningSince) {
      // Nobody has heard it yet: whatever it heard, the others may be electing too.
      fail(
          "(d) "
              + node.id
              + " claimed the VIPs "
              + (node.runningSince - sim.now)
              + " ms before its first tick");
    }
    if (node.holdEndedByOperator) {
      return;
    }
    boolean heardAll = node.heard.size() >= sim.nodes.size() - 1 + (sim.witness != null ? 1 : 0);
    if (sim.now - node.runningSince < sim.startupHold.toMillis() && !heardAll) {
      fail(
          "(d) "
              + node.id
              + " claimed the VIPs "
              + (sim.now - node.runningSince)
              + " ms after it started running, having heard only "
              + node.heard);
    }
  }

  void fail(String what) {
    throw new SimulatedCluster.Violation(what);
  }
}
