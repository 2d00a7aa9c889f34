package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of a run, fixed by the seed alone: the same seed gives the same groups in the same
 * order, so a run that found a violation can be replayed. When each group starts depends on how
 * fast the cluster converged after the last one, which is why times are relative to the group.
 */
final class NemesisSchedule {
  /** Share of groups in which a second fault overlaps the first. */
  static final double OVERLAP = 0.3;

  private static final long MIN_PAUSE_MS = 1_000;
  private static final long MAX_PAUSE_MS = 4_000;
  private static final long INSTANT_SPREAD_MS = 2_000;

  private NemesisSchedule() {}

  /** The first {@code count} groups of the run with this seed. */
  static List<FaultGroup> groups(long seed, int count) {
    SplittableRandom random = new SplittableRandom(seed);
    List<FaultGroup> groups = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      groups.add(group(i, random));
    }
    return groups;
  }

  private static FaultGroup group(int index, SplittableRandom random) {
    FaultKind[] kinds = FaultKind.values();
    Fault first = fault(kinds[random.nextInt(kinds.length)], randomTarget(random), 0, random);
    List<Fault> faults = new ArrayList<>(List.of(first));
    // A planned failover moves the role on purpose; overlapping it would judge neither.
    if (first.kind() != FaultKind.PLANNED_FAILOVER && random.nextDouble() < OVERLAP) {
      FaultKind kind;
      do {
        kind = kinds[random.nextInt(kinds.length)];
      } while (kind == FaultKind.PLANNED_FAILOVER);
      long window = first.kind().lasting() ? first.durationMs() : INSTANT_SPREAD_MS;
      long offset = random.nextLong(window + 1);
      // The other role than the first: two faults on one node would hide each other.
      Fault.Target other =
          first.target() == Fault.Target.PRIMARY ? Fault.Target.BACKUP : Fault.Target.PRIMARY;
      faults.add(fault(kind, other, offset, random));
    }
    long pause = MIN_PAUSE_MS + random.nextLong(MAX_PAUSE_MS - MIN_PAUSE_MS + 1);
    return new FaultGroup(index, faults, pause);
  }

  private static Fault.Target randomTarget(SplittableRandom random) {
    return random.nextBoolean() ? Fault.Target.PRIMARY : Fault.Target.BACKUP;
  }

  private static Fault fault(
      FaultKind kind, Fault.Target target, long offset, SplittableRandom random) {
    long duration = kind.lasting() ? kind.minMs + random.nextLong(kind.maxMs - kind.minMs + 1) : 0;
    String param =
        switch (kind) {
          case SYNC_CUT_ONE_WAY -> random.nextBoolean() ? "in" : "out";
          case SYNC_LOSS -> Integer.toString(20 + 10 * random.nextInt(6));
          default -> "";
        };
    // A planned failover and a resync act on a backup (the target, the replica).
    Fault.Target effective =
        kind == FaultKind.PLANNED_FAILOVER || kind == FaultKind.RESYNC
            ? Fault.Target.BACKUP
            : target;
    return new Fault(kind, effective, random.nextInt(1 << 16), offset, duration, param);
  }
}
