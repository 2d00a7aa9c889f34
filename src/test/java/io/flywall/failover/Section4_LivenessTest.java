package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_LivenessTest {

  @Test
  void peerIsAliveWhileItsLastHeartbeatIsWithinFailureTimeout() {
    Harness a = Harness.settings("a", 20).start(1);
    a.hear(Beat.of("b", 10).primary(1));
    a.now = a.now.plus(Harness.TIMEOUT);
    assertThat(a.controller.view(a.now).peers().get(0).alive()).isTrue();
    a.now = a.now.plusMillis(1);
    assertThat(a.controller.view(a.now).peers().get(0).alive()).isFalse();
  }

  @Test
  void backupTakesOverWhenPrimaryIsSilentForFailureTimeout() {
    Harness a = Harness.settings("a", 20).start(1);
    a.run(Duration.ofSeconds(5), Beat.of("b", 10).primary(1));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    Duration silence = Duration.ZERO;
    while (a.role() == Role.BACKUP) {
      a.advance(Harness.TICK);
      silence = silence.plus(Harness.TICK);
    }
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(silence)
        .isGreaterThan(Harness.TIMEOUT.minus(Harness.INTERVAL))
        .isLessThanOrEqualTo(Harness.TIMEOUT);
    Transition t = a.records().get(a.records().size() - 1);
    assertThat(t.type()).isEqualTo(TransitionType.TAKEOVER);
    assertThat(t.epoch()).isEqualTo(2);
    assertThat(t.cause()).contains("primary b silent since");
  }
}
