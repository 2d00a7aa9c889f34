package io.flywall.failover;

import static io.flywall.failover.SimulatedCluster.FAILURE_TIMEOUT;
import static io.flywall.failover.SimulatedCluster.INTERVAL;
import static io.flywall.failover.SimulatedCluster.MAX_PROBE_DELAY;
import static io.flywall.failover.SimulatedCluster.MAX_SYNC_DELAY;
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
 * <p>Convergence bound after all faults heal = 3 x failure_timeout (stale liveness expires, startup
 * hold / relayed-epoch hold / settled-majority wait / abandoned handover) + 2 x interval + max
 * replica sync delay + max VIP probe delay + failback_delay + failback_window (a failback postponed
 * by the window still happens inside the bound).
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

  Invariants(SimulatedCluster sim) {
    this.sim = sim;
    this.fencingBound = INTERVAL + 2 * sim.maxDelay + TICK;
    this.partitionedFencingBound = FAILURE_TIMEOUT + fencingBound;
    this.convergenceBound =
        3 * FAILURE_TIMEOUT
            + 2 * INTERVAL
            + MAX_SYNC_DELAY
            + MAX_PROBE_DELAY
            + sim.failbackDelay.toMillis()
            + sim.failbackWindow.toMillis();
    int n = sim.nodes.size();
    this.withoutQuorumSince = new long[n];
    Arrays.fill(withoutQuorumSince, -1);
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
      notOneSince =
          track(
              notOneSince,
              primaries != 1,
              fencingBound,
              () ->
                  "(c) "
                      + count
                      + " primaries "
                      + (sim.now - healedAt)
                      + " ms after all faults healed (bound "
                      + convergenceBound
                      + " ms)");
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
        && sim.nodes.get(j).up();
  }

  /**
   * (d): no VIP is claimed during the startup hold, unless an operator's promote ended the hold
   * (for the rest of that incarnation: a node demoted after it may take a handover or an election).
   */
  void claimed(SimulatedCluster.Node node) {
    if (node.holdEndedByOperator) {
      return;
    }
    boolean heardAll = node.heard.size() >= sim.nodes.size() - 1 + (sim.witness != null ? 1 : 0);
    if (sim.now - node.startedAt < FAILURE_TIMEOUT && !heardAll) {
      fail(
          "(d) "
              + node.id
              + " claimed the VIPs "
              + (sim.now - node.startedAt)
              + " ms after start, having heard only "
              + node.heard);
    }
  }

  void fail(String what) {
    throw new SimulatedCluster.Violation(what);
  }
}
