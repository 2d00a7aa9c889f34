package io.flywall.chaos;

import java.util.List;

/**
 * Faults that run together (one, sometimes two overlapping); after the last heals the nemesis waits
 * for the cluster to converge and then {@code pauseMs} more before the next group.
 */
record FaultGroup(int index, List<Fault> faults, long pauseMs) {
  FaultGroup {
    faults = List.copyOf(faults);
  }

  /** When the last fault heals, after the group's start. */
  long lengthMs() {
    return faults.stream().mapToLong(f -> f.offsetMs() + f.durationMs()).max().orElse(0);
  }
}
