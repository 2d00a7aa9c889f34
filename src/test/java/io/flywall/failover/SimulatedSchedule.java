package io.flywall.failover;

import static io.flywall.failover.SimulatedCluster.INTERVAL;

import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One schedule of the simulation (DESIGN section 9), drawn from a seed: the cluster, the faults
 * (loss, delay, partitions, one-way cuts, crashes, pauses, health flaps, operator commands,
 * resyncs) until a random moment when everything heals, then long enough for the liveness
 * invariants to be judged.
 */
final class SimulatedSchedule {

  private SimulatedSchedule() {}

  /** The seed of schedule {@code i} of a run from {@code base}. */
  static long seed(long base, int i) {
    return base + i * 0x9E3779B97F4A7C15L;
  }

  /**
   * Runs the schedule drawn from {@code seed} with the nodes on {@code rules}; returns how often
   * each transition type happened. Throws an {@link AssertionError} that names the seed, the
   * invariant broken and the trace tail.
   */
  static Map<String, Integer> run(long seed, SimulatedRules rules, boolean verbose) {
    SimulatedCluster sim = new SimulatedCluster(seed, rules);
    try {
      long faultEnd = sim.random.nextLong(5_000, 40_000);
      planFaults(sim, faultEnd);
      planStandby(sim, faultEnd);
      sim.at(faultEnd, () -> healEverything(sim));
      sim.start();
      Invariants inv = sim.invariants;
      sim.runUntil(faultEnd + inv.convergenceBound + SimulatedReplication.BOUND + 5 * INTERVAL);
      inv.atEnd();
      if (verbose) {
        System.out.println(sim.describe() + "\n" + sim.traceTail());
      }
      return sim.transitions;
    } catch (SimulatedCluster.Violation | RuntimeException e) {
      throw new AssertionError(
          "schedule with seed "
              + seed
              + " failed (re-run with -Dsim.seed="
              + seed
              + "): "
              + e.getMessage()
              + "\n"
              + sim.describe()
              + "\ntrace tail:\n"
              + sim.traceTail(),
          e);
    }
  }

  private static void healEverything(SimulatedCluster sim) {
    sim.note("all faults healed");
    for (int i = 0; i < sim.endpoints; i++) {
      for (int j = 0; j < sim.endpoints; j++) {
        sim.cut[i][j] = 0;
        sim.loss[i][j] = 0;
        sim.slow[i][j] = false;
      }
    }
    for (int[] row : sim.lanCut) {
      java.util.Arrays.fill(row, 0);
    }
    sim.linkFaults = 0;
    sim.lastLinkFaultChange = sim.now;
    sim.replication.writesStopAt = sim.now;
    for (SimulatedCluster.Node node : sim.nodes) {
      while (node.paused > 0) {
        sim.resume(node);
      }
      while (node.unhealthy > 0) {
        sim.heal(node);
      }
      while (node.crashed > 0) {
        sim.restart(node);
      }
    }
    for (SimulatedCluster.Node node : sim.nodes) {
      // Maintenance ends with the faults: the liveness checks need every node eligible again.
      if (node.controller != null && node.controller.standby()) {
        sim.command(node, new Command.Standby(false));
      } else if (node.controller == null) {
        // Restarting right now (a command would be lost at its boot): it starts out of standby,
        // as if the operator had cleared it the moment it came up.
        node.persistedStandby = false;
      }
    }
    sim.invariants.healedAt = sim.now;
  }

  /**
   * Operators' reloads of a new priority and standby windows (DESIGN 10.6): a node goes standby and
   * comes back, in about 40% of the schedules. Drawn from a random of their own, so the other
   * faults of a seed stay as they were before standby existed.
   */
  private static void planStandby(SimulatedCluster sim, long faultEnd) {
    SplittableRandom r = new SplittableRandom(sim.seed ^ 0x5747_414e_4442_5931L);
    if (r.nextInt(5) >= 2) {
      return;
    }
    int reloads = r.nextInt(3);
    for (int k = 0; k < reloads; k++) {
      SimulatedCluster.Node node = sim.nodes.get(r.nextInt(sim.nodes.size()));
      int priority = 10 * (1 + r.nextInt(sim.nodes.size() + 1));
      long at = r.nextLong(0, faultEnd);
      sim.at(
          at,
          () -> {
            sim.note(node.id + " reloads with priority " + priority + " (operator)");
            sim.reload(node, priority);
          });
    }
    int windows = 1 + r.nextInt(2);
    for (int k = 0; k < windows; k++) {
      SimulatedCluster.Node node = sim.nodes.get(r.nextInt(sim.nodes.size()));
      long start = r.nextLong(0, faultEnd);
      long end = Math.min(faultEnd, start + r.nextLong(500, 20_000));
      sim.at(
          start,
          () -> {
            sim.note(node.id + " standby (operator)");
            sim.command(node, new Command.Standby(true));
          });
      sim.at(
          end,
          () -> {
            sim.note(node.id + " unstandby (operator)");
            sim.command(node, new Command.Standby(false));
          });
    }
    // Standby asked on another node, carried in its heartbeats. Asked early enough that the
    // request expires (two failure timeouts) before the heal: a standby arriving after it would
    // keep the preferred node out for good, which the liveness checks rightly call a failure.
    long lastAsk = faultEnd - 2 * SimulatedCluster.FAILURE_TIMEOUT - 1_000;
    int asks = lastAsk > 0 && sim.nodes.size() > 1 ? r.nextInt(3) : 0;
    for (int k = 0; k < asks; k++) {
      SimulatedCluster.Node node = sim.nodes.get(r.nextInt(sim.nodes.size()));
      SimulatedCluster.Node asker =
          sim.nodes.get(
              (sim.nodes.indexOf(node) + 1 + r.nextInt(sim.nodes.size() - 1)) % sim.nodes.size());
      long start = r.nextLong(0, lastAsk);
      long end = Math.min(faultEnd, start + r.nextLong(500, 20_000));
      sim.at(
          start,
          () -> {
            sim.note(node.id + " standby asked on " + asker.id + " (operator)");
            sim.command(asker, new Command.StandbyOf(node.id, true));
          });
      sim.at(
          end,
          () -> {
            sim.note(node.id + " unstandby asked on " + asker.id + " (operator)");
            sim.command(asker, new Command.StandbyOf(node.id, false));
          });
    }
  }

  private static void planFaults(SimulatedCluster sim, long faultEnd) {
    SplittableRandom r = sim.random;
    int episodes = r.nextInt(13);
    int n = sim.nodes.size();
    for (int k = 0; k < episodes; k++) {
      long start = r.nextLong(0, faultEnd);
      long end = Math.min(faultEnd, start + r.nextLong(500, 15_000));
      int from = r.nextInt(sim.endpoints);
      int to = (from + 1 + r.nextInt(sim.endpoints - 1)) % sim.endpoints;
      SimulatedCluster.Node node = sim.nodes.get(r.nextInt(n));
      switch (r.nextInt(9)) {
        case 0 -> {
          double p = 0.2 + 0.8 * r.nextDouble();
          sim.at(
              start,
              () -> {
                sim.note("loss " + p + " on link " + from + "->" + to);
                sim.loss[from][to] = p;
                sim.linkFault(+1);
              });
          sim.at(
              end,
              () -> {
                sim.loss[from][to] = 0;
                sim.linkFault(-1);
              });
        }
        case 1 -> {
          sim.at(
              start,
              () -> {
                sim.slow[from][to] = true;
                sim.linkFault(+1);
              });
          sim.at(
              end,
              () -> {
                sim.slow[from][to] = false;
                sim.linkFault(-1);
              });
        }
        case 2 -> {
          int mask = 1 + r.nextInt((1 << sim.endpoints) - 2);
          boolean lanToo = r.nextBoolean();
          sim.at(start, () -> partition(sim, mask, lanToo, +1));
          sim.at(end, () -> partition(sim, mask, lanToo, -1));
        }
        case 3 -> {
          sim.at(
              start,
              () -> {
                sim.note("one-way cut " + from + "->" + to);
                sim.cut[from][to]++;
                sim.linkFault(+1);
              });
          sim.at(
              end,
              () -> {
                sim.cut[from][to]--;
                sim.linkFault(-1);
              });
        }
        case 4 -> {
          sim.at(start, () -> sim.crash(node));
          sim.at(end, () -> sim.restart(node));
        }
        case 5 -> {
          sim.at(start, () -> sim.pause(node));
          sim.at(end, () -> sim.resume(node));
        }
        case 6 -> {
          sim.at(start, () -> sim.sicken(node));
          sim.at(end, () -> sim.heal(node));
        }
        case 7 -> {
          Command command = randomCommand(sim, r);
          sim.at(start, () -> sim.command(node, command));
        }
        default ->
            sim.at(
                start,
                () -> {
                  if (node.up() && node.controller != null) {
                    sim.note(node.id + " resyncs its replica");
                    sim.replication.resync(node);
                  }
                });
      }
    }
  }

  private static Command randomCommand(SimulatedCluster sim, SplittableRandom r) {
    return switch (r.nextInt(5)) {
      case 0 -> new Command.Failover(Optional.empty());
      case 1 -> new Command.Failover(Optional.of(sim.nodes.get(r.nextInt(sim.nodes.size())).id));
      case 2 -> new Command.SetFailback(r.nextBoolean());
      case 3 -> new Command.Promote(r.nextBoolean());
      default -> new Command.Reset();
    };
  }

  private static void partition(SimulatedCluster sim, int mask, boolean lanToo, int delta) {
    sim.linkFault(delta);
    if (delta > 0) {
      sim.note("partition " + Integer.toBinaryString(mask) + (lanToo ? " (LAN too)" : ""));
    }
    for (int i = 0; i < sim.endpoints; i++) {
      for (int j = 0; j < sim.endpoints; j++) {
        boolean across = ((mask >> i) & 1) != ((mask >> j) & 1);
        if (across) {
          sim.cut[i][j] += delta;
          if (lanToo && i < sim.nodes.size() && j < sim.nodes.size()) {
            sim.lanCut[i][j] += delta;
          }
        }
      }
    }
  }
}
