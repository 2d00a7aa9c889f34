package io.flywall.failover;

import io.flywall.failover.SimulatedCluster.Node;
import java.util.Optional;

/**
 * A simulated node's action runner: the real {@link StepQueue} decides what runs, what is skipped
 * and what is stopped; here steps take time (a script up to the run's script length), an epoch
 * persist can fail while faults are on, and a paused node's runner is frozen with it. As in the
 * node, a failed step is stepped into the controller before the next step runs.
 *
 * <p>arp_ping is modelled as the network plane's {@code LanProbe} does it: {@link
 * Action.StartProbe} starts requests every {@link #PROBE_INTERVAL} at once, {@link
 * Action.StopProbe} ends them; a verdict ({@link Action.ProbeVips}) counts only requests sent at or
 * after its {@code since}: it is ready one {@link #PROBE_WINDOW} after the first of them (at once
 * when the node has probed for long enough; a node not probing starts, waits one window, and stops
 * again), and it finds a conflict when a node it can reach on the LAN held the VIPs at any moment
 * since that first request (an answer the old primary gave before then does not count).
 */
final class SimulatedRunner {

  /** Per node; rebuilt at every boot. */
  static final class State {
    StepQueue queue = new StepQueue();
    StepQueue.Step running;
    int token;
    boolean pumping;
    // Continuous arp_ping: on, and since when (the first request).
    boolean probing;
    long probingSince;
    // The first request the running verdict counts.
    long verdictFirst;
  }

  /** The plane's window for a 1 s heartbeat interval: max(50 ms, interval), capped at 200 ms. */
  static final long PROBE_WINDOW = 200;

  static final long PROBE_INTERVAL = PROBE_WINDOW / 4;

  private final SimulatedCluster sim;
  final long scriptMax;
  final double persistFailure;

  SimulatedRunner(SimulatedCluster sim) {
    this.sim = sim;
    this.scriptMax = new long[] {0, 0, 300, 4000}[sim.random.nextInt(4)];
    this.persistFailure = sim.random.nextInt(3) == 0 ? 0.05 : 0;
  }

  void boot(Node node) {
    node.runner = new State();
  }

  /** The controller decided: queue its actions, stop a script it has given up, run what is due. */
  void submit(Node node, Decision decision) {
    State r = node.runner;
    StepQueue.Submitted submitted = r.queue.submit(decision);
    for (Action action : submitted.atOnce()) {
      if (action instanceof Action.StartProbe) {
        if (!r.probing) {
          r.probing = true;
          r.probingSince = sim.now;
          sim.note("   " + node.id + " starts probing the LAN");
        }
      } else if (action instanceof Action.StopProbe) {
        r.probing = false;
        sim.note("   " + node.id + " stops probing the LAN");
      } else {
        sim.note("   " + node.id + " announces the VIPs again (" + action + ")");
      }
    }
    sim.invariants.probing(node);
    if (submitted.stopRunning() && r.running != null) {
      sim.note("   " + node.id + " stops " + describe(r.running.action()) + ": the role changed");
      r.token++;
      r.running = null;
      r.queue.done();
    }
    pump(node);
  }

  private void pump(Node node) {
    State r = node.runner;
    if (r.pumping) {
      return;
    }
    r.pumping = true;
    try {
      while (r.running == null) {
        Optional<StepQueue.Next> next = r.queue.next();
        if (next.isEmpty()) {
          return;
        }
        StepQueue.Step step = next.get().step();
        if (next.get() instanceof StepQueue.Next.Skip) {
          sim.note("   " + node.id + " skips " + describe(step.action()) + " (stale plan)");
          if (step.action() instanceof Action.ProbeVips) {
            sim.stepWhenUp(node, new Event.ActionFailed(step.action(), "skipped"));
          }
          continue;
        }
        if (step.action() instanceof Action.AddVips) {
          // A step starts only while its plan is current: here the controller must be primary.
          sim.invariants.claimed(node);
        }
        long duration = duration(node, step.action());
        if (duration == 0) {
          r.queue.done();
          finish(node, step);
        } else {
          r.running = step;
          int token = ++r.token;
          int incarnation = node.incarnation;
          sim.at(sim.now + duration, () -> complete(node, incarnation, token));
        }
      }
    } finally {
      r.pumping = false;
    }
  }

  private void complete(Node node, int incarnation, int token) {
    State r = node.runner;
    if (node.incarnation != incarnation || r.token != token || r.running == null) {
      return;
    }
    if (node.paused > 0) {
      // The runner is frozen with the process: the step ends after the resume.
      sim.at(sim.now + 50, () -> complete(node, incarnation, token));
      return;
    }
    StepQueue.Step step = r.running;
    r.running = null;
    r.queue.done();
    finish(node, step);
    pump(node);
  }

  private long duration(Node node, Action action) {
    if (action instanceof Action.RunScript) {
      return scriptMax == 0 ? 0 : sim.random.nextLong(1, scriptMax);
    } else if (action instanceof Action.ProbeVips p) {
      return verdictDelay(node, sim.millis(p.since()));
    } else if (action instanceof Action.PersistEpoch
        || action instanceof Action.AddVips
        || action instanceof Action.RemoveVips
        || action instanceof Action.SwitchReplicationRole) {
      return sim.random.nextLong(1, 20);
    } else if (action instanceof Action.CommitConnectionState) {
      return sim.random.nextLong(0, 50);
    }
    return 0;
  }

  /**
   * How long the verdict on requests since {@code since} takes: until the first such request is one
   * window old, plus the poll that sees it.
   */
  private long verdictDelay(Node node, long since) {
    State r = node.runner;
    long first;
    String how;
    if (!r.probing) {
      first = sim.now;
      how = "probe:cold";
    } else if (r.probingSince >= since) {
      first = r.probingSince;
      how = first + PROBE_WINDOW <= sim.now ? "probe:ready" : "probe:waited";
    } else {
      long periods = (since - r.probingSince + PROBE_INTERVAL - 1) / PROBE_INTERVAL;
      first = r.probingSince + periods * PROBE_INTERVAL;
      how = first + PROBE_WINDOW <= sim.now ? "probe:ready" : "probe:waited";
    }
    sim.transitions.merge(how, 1, Integer::sum);
    r.verdictFirst = first;
    return Math.max(0, first + PROBE_WINDOW - sim.now) + sim.random.nextLong(1, 5);
  }

  /** The effect of a step that ran to its end. */
  private void finish(Node node, StepQueue.Step step) {
    Action action = step.action();
    if (action instanceof Action.PersistEpoch p) {
      if (persistFailure > 0
          && sim.now < sim.invariants.healedAt
          && sim.random.nextDouble() < persistFailure) {
        sim.note("   " + node.id + " cannot persist epoch " + p.epoch());
        sim.step(node, new Event.ActionFailed(action, "disk I/O error"));
        return;
      }
      if (p.epoch() <= node.persistedEpoch) {
        sim.invariants.fail(
            node.id + " persisted epoch " + p.epoch() + " after " + node.persistedEpoch);
      }
      node.persistedEpoch = p.epoch();
    } else if (action instanceof Action.SwitchReplicationRole s) {
      if (s.role() == Role.PRIMARY) {
        sim.replication.becomePrimary(node, node.persistedEpoch);
      } else {
        sim.replication.becomeReplica(node);
      }
    } else if (action instanceof Action.AddVips) {
      node.holdsVips = true;
    } else if (action instanceof Action.RemoveVips) {
      node.dropVips(sim.now);
    } else if (action instanceof Action.ProbeVips) {
      // Powered-off nodes hold nothing (dropVips at the crash); a killed one's kernel still
      // answers.
      String holder = null;
      for (Node other : sim.nodes) {
        if (other != node
            && (other.holdsVips || other.vipsDroppedAt >= node.runner.verdictFirst)
            && sim.lanCut[node.index][other.index] == 0) {
          holder = other.id;
        }
      }
      sim.step(
          node,
          new Event.ProbeFinished(
              holder != null, holder != null ? "VIP answered by " + holder : "no answer"));
    } else if (action instanceof Action.Announce) {
      sim.broadcast(node);
    }
  }

  private static String describe(Action action) {
    return action.getClass().getSimpleName();
  }
}
