package io.flywall.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.lab.NetLab;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run of the test command: three real daemons, two minutes of faults from a fixed
 * seed, every checker silent. Its summary and timeline are in target/chaos/SEED/.
 */
@Tag("netns")
class ChaosLabIT {
  static final long SEED = 20261129L;

  @Test
  void twoMinutesOfFaultsFromAFixedSeedBreakNoRule() throws Exception {
    NetLab.unavailableReason().ifPresent(reason -> Assumptions.abort("skipped: " + reason));
    ChaosRun.Outcome outcome = ChaosRun.run(3, 2, SEED, Path.of("target", "chaos"));
    assertThat(outcome.faults()).as("faults carried out").isGreaterThanOrEqualTo(3);
    assertThat(outcome.violations())
        .as("violations (replay: scripts/chaos --minutes 2 --seed " + SEED + ")")
        .isEmpty();
  }
}
