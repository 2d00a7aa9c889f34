package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_StickinessTest {

  @Test
  void healthyPrimaryWithQuorumIsNotPreemptedByABetterNodeWithoutFailback() {
    Harness b =
        Harness.settings("b", 20)
            .failback(FailbackMode.MANUAL, Duration.ofSeconds(1), Duration.ZERO)
            .start(1);
    b.run(Harness.TIMEOUT);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.run(Duration.ofSeconds(60), Beat.of("a", 10).backup(2).failback(false, 0));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    assertThat(b.records())
        .extracting(Transition::type)
        .doesNotContain(TransitionType.FAILBACK, TransitionType.DEMOTE, TransitionType.RELEASE);
  }

  @Test
  void betterBackupNeverTakesTheRoleFromAnAlivePrimaryByItself() {
    Harness a =
        Harness.settings("a", 10)
            .failback(FailbackMode.AUTO, Duration.ZERO, Duration.ZERO)
            .start(1);
    a.run(Duration.ofSeconds(60), Beat.of("b", 20).primary(2));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.everClaimed()).isFalse();
  }

  @Test
  void noSecondProbeIsAskedForWhileOneIsOutstandingHoweverLongItTakes() {
    Harness a = Harness.settings("a", 10).probe().start(0);
    a.hear(Beat.of("b", 20).backup(0));
    assertThat(probes(a)).isEqualTo(1);
    a.run(Harness.TIMEOUT.multipliedBy(3));
    assertThat(probes(a)).isEqualTo(1);
    assertThat(a.everClaimed()).isFalse();
    // The node could not run it: the next election turn asks again.
    a.step(new Event.ActionFailed(new Action.ProbeVips(Harness.T0), "arping: permission denied"));
    a.advance(Harness.TICK);
    assertThat(probes(a)).isEqualTo(2);
  }

  private static long probes(Harness a) {
    return a.actions.stream().filter(Action.ProbeVips.class::isInstance).count();
  }
}
