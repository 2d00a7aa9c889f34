package io.flywall.failover;

import org.junit.jupiter.api.Test;

/**
 * DESIGN section 9: the real controllers of 2 to 5 nodes against a simulated network and clock with
 * loss, delay, symmetric and one-way partitions, crashes, restarts, pauses, health flaps and
 * operator commands, all drawn from a seed. {@code -Dsim.seed=S} replays one schedule, {@code
 * -Dsim.schedules=N} runs more, {@code -Dsim.baseSeed=B} replays a whole run (the base seed is
 * printed; by default it comes from the commit under test).
 */
class Section9_SimulationTest {

  /**
   * Seeds that once broke an invariant, replayed on every run before the random ones. Each names
   * what it found.
   */
  private static final long[] REGRESSION_SEEDS = {
    // (d) looked like a claim inside the startup hold; the hold had been ended by an operator's
    // promote, which the invariant forgot once the node was demoted (the invariant was wrong).
    4325198652834153369L,
    // The seeds below were found by the model of the commit that added them; a later change to
    // the model replays other schedules from them (the Section10 tests keep each case exactly).
    // Issue #10 item 1: a staggered start; n1 heard n3 (preferred, alone, "no quorum") before it
    // sent its own heartbeats and took over on n3's stale flag.
    -8646916844443643170L,
    // Issue #10 item 2, with the replica following as it used to (no read timeout, never
    // re-pointed): a replica kept "in sync" with a primary that lost power.
    5060838202721641334L,
    // A primary that raised its epoch over a rival went on serving replication under the old one;
    // every replica refused it for good.
    626981770695586313L,
    // A backup resumed from a pause elected itself on its stale view of the cluster.
    -9102032882310693530L,
    // The same with a pause shorter than failure_timeout but long enough for peers to look dead.
    -1172819549490472914L,
    // A node that heard every peer before its own heartbeats started claimed at once, unheard,
    // and could not self-fence without ticks.
    547810903606376646L,
    // A node frozen before its first tick: its startup hold had passed by the clock while it
    // heard nothing.
    -6847115524257583942L,
    // The same after it had heard every peer (hold over): its first tick came with a stale view.
    7566819885089201391L,
    // An operator promoted a node still starting: primary, but nobody heard it.
    -8148008503220492594L,
    // Every node left in fault by an epoch it could not persist: no primary is possible
    // (invariant (c) was wrong to ask for one).
    -2996914351154635918L,
    // A primary forced while in fault is not failed back to a worse healthy node (the invariant
    // was wrong).
    -6351399766043478878L,
    // A primary forced while every other node was in fault: nobody to fail back to.
    -957074217367269284L,
    // Both nodes in standby, both down when the operator's unstandby came (found with base seed
    // 424242): the simulation's own bookkeeping, not the controller, lost the unstandby.
    -7460573296302629395L,
    // n2 and n3, cut off from each other, took over at the same moment at the same epoch; n1
    // heard both and kept a majority for each, so both stayed primary for as long as the cut
    // lasted (found in a 20,000-schedule run; now the one n1 does not follow gives way).
    6915571352471480205L,
    // (L-a) n1 left fault (an operator's reset) and took over; n2, recovering 260 ms later, still
    // knew n1 as fault (its next heartbeat and its announcement, behind its takeover steps, had not
    // come) and took over too. Fencing settles such a pair; the invariant asked for more than any
    // node could know (found by CI's commit-derived base seed).
    -8188509191129957700L,
    // (L-a) n2 and n3 (equal priority) with n1 dead: n2 left standby and took over at once; n3,
    // 206 ms later and before n2's next heartbeat, still knew n2 as in standby and took over too.
    // The same as leaving fault: no node could know better, fencing settles the pair (found by
    // CI's commit-derived base seed for d5db2c4).
    -8834016236232377691L,
    // (L-a) n5 paused 1.4 s and, 0.9 s after resuming, found primary n2 silent for failure_timeout
    // and took over: the model dropped the heartbeats that reached it while paused, where the
    // kernel keeps them in the socket's buffer until the process reads again (found by CI's
    // commit-derived base seed for 5d39980, once ticks came exactly at the deadline).
    1318163484665875676L,
    // A better node still starting (first heartbeats before its monitors were judged cannot say
    // it is healthy) was passed over by a node that had heard every peer; with failback manual
    // the wrong winner keeps the role (invariant (L-c), added with the rule; base seed 777).
    8630200262784481818L,
    -8963600312800481062L,
    // The same after a restart without a gap: a paused node read the dead primary's buffered
    // heartbeat on resuming, the primary restarted within a failure_timeout, and its first
    // heartbeats ("no quorum", health pending) were counted from its previous life (base 3011).
    -616650355054512195L,
    // (L-a) n2 (priority 20) resumed from a 1.9 s pause and took over 0.7 s later; n1 (priority
    // 20, preferred by its id) had lacked quorum while n2 was paused and gained it by hearing n2
    // 0.5 s before, but its last heartbeat to n2 still said "no quorum": a pause too short to be
    // flagged did not restart the time a no-quorum peer gets to hear this node, as a start does
    // (found by CI's commit-derived base seed for 0daf9db).
    -6575446216680585522L,
  };

  @Test
  void controllersKeepTheInvariantsUnderRandomFaultSchedules() {
    String single = System.getProperty("sim.seed");
    if (single != null) {
      long seed = Long.parseLong(single);
      SimulatedSchedule.run(seed, SimulatedRules.CURRENT, true);
      System.out.println("sim: schedule " + seed + " passed");
      return;
    }
    int schedules = Integer.getInteger("sim.schedules", 2000);
    long base = baseSeed();
    System.out.println("sim: base seed " + base + " (replay all with -Dsim.baseSeed=" + base + ")");
    // -Dsim.keepGoing=true runs every schedule and lists all failures (exploration).
    boolean keepGoing = Boolean.getBoolean("sim.keepGoing");
    java.util.List<String> failures = new java.util.ArrayList<>();
    long started = System.nanoTime();
    java.util.Map<String, Integer> transitions = new java.util.TreeMap<>();
    for (int i = -REGRESSION_SEEDS.length; i < schedules; i++) {
      long seed = i < 0 ? REGRESSION_SEEDS[-i - 1] : SimulatedSchedule.seed(base, i);
      try {
        SimulatedSchedule.run(seed, SimulatedRules.CURRENT, false)
            .forEach((type, count) -> transitions.merge(type, count, Integer::sum));
      } catch (AssertionError e) {
        if (!keepGoing) {
          throw e;
        }
        String first = e.getMessage().lines().findFirst().orElse("");
        failures.add(first.substring(first.indexOf("): ") + 3) + "  [seed " + seed + "]");
      }
    }
    if (!failures.isEmpty()) {
      failures.sort(null);
      System.out.println("sim: " + failures.size() + " failing schedules:");
      failures.forEach(f -> System.out.println("sim:   " + f));
      throw new AssertionError(failures.size() + " schedules failed; see the list above");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "sim: %d schedules (and %d regression seeds) from base seed %d in %.2f s (%.0f"
            + " schedules/s)%n",
        schedules, REGRESSION_SEEDS.length, base, seconds, schedules / seconds);
    System.out.println("sim: transitions exercised " + transitions);
  }

  /**
   * {@code -Dsim.baseSeed}, else one derived from the commit under test, so that every commit
   * explores schedules of its own (and a re-run of the same commit replays them); outside a git
   * checkout, the time.
   */
  private static long baseSeed() {
    Long given = Long.getLong("sim.baseSeed");
    if (given != null) {
      return given;
    }
    try {
      Process git =
          new ProcessBuilder("git", "rev-parse", "HEAD")
              .directory(new java.io.File(System.getProperty("flywall.project.dir", ".")))
              .redirectErrorStream(true)
              .start();
      String head = new String(git.getInputStream().readAllBytes()).strip();
      if (git.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)
          && git.exitValue() == 0
          && head.matches("[0-9a-f]{40}")) {
        return Long.parseUnsignedLong(head.substring(0, 16), 16);
      }
    } catch (java.io.IOException e) {
      // No git here: fall through to the time.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return System.nanoTime();
  }
}
