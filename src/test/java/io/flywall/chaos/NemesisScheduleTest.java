package io.flywall.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NemesisScheduleTest {
  @Test
  void theSameSeedGivesTheSameFaultsInTheSameOrder() {
    assertThat(NemesisSchedule.groups(42, 200)).isEqualTo(NemesisSchedule.groups(42, 200));
  }

  @Test
  void anotherSeedGivesOtherFaults() {
    assertThat(NemesisSchedule.groups(42, 50)).isNotEqualTo(NemesisSchedule.groups(43, 50));
  }

  @Test
  void everyKindIsPickedAndEveryFaultHealsWithinItsKindsLongestDuration() {
    Set<FaultKind> seen = EnumSet.noneOf(FaultKind.class);
    for (FaultGroup group : NemesisSchedule.groups(7, 500)) {
      for (Fault fault : group.faults()) {
        seen.add(fault.kind());
        assertThat(fault.durationMs()).isBetween(fault.kind().minMs, fault.kind().maxMs);
      }
      assertThat(group.pauseMs()).isBetween(1_000L, 4_000L);
    }
    assertThat(seen).containsExactlyInAnyOrder(FaultKind.values());
  }

  @Test
  void faultsOverlapSometimesAndTheSecondStartsWhileTheFirstLasts() {
    List<FaultGroup> groups = NemesisSchedule.groups(11, 1_000);
    List<FaultGroup> overlapping = groups.stream().filter(g -> g.faults().size() == 2).toList();
    assertThat(overlapping.size()).isBetween(150, 350);
    for (FaultGroup group : overlapping) {
      Fault first = group.faults().get(0);
      Fault second = group.faults().get(1);
      assertThat(second.offsetMs()).isLessThanOrEqualTo(Math.max(first.durationMs(), 2_000));
      assertThat(first.kind()).isNotEqualTo(FaultKind.PLANNED_FAILOVER);
      assertThat(second.kind()).isNotEqualTo(FaultKind.PLANNED_FAILOVER);
      assertThat(group.faults()).hasSize(2);
    }
    assertThat(groups).allMatch(g -> g.faults().size() <= 2);
  }

  @Test
  void aPlannedFailoverAndAResyncAlwaysActOnABackup() {
    for (FaultGroup group : NemesisSchedule.groups(3, 500)) {
      for (Fault fault : group.faults()) {
        if (fault.kind() == FaultKind.PLANNED_FAILOVER || fault.kind() == FaultKind.RESYNC) {
          assertThat(fault.target()).isEqualTo(Fault.Target.BACKUP);
        }
      }
    }
  }

  @Test
  void aOneWayCutNamesItsDirectionAndLossItsPercent() {
    for (FaultGroup group : NemesisSchedule.groups(5, 500)) {
      for (Fault fault : group.faults()) {
        switch (fault.kind()) {
          case SYNC_CUT_ONE_WAY -> assertThat(fault.param()).isIn("in", "out");
          case SYNC_LOSS -> assertThat(Integer.parseInt(fault.param())).isBetween(20, 70);
          default -> assertThat(fault.param()).isEmpty();
        }
      }
    }
  }
}
