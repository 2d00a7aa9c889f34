package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_StartupHoldTest {

  @Test
  void nodeNeverClaimsBeforeFailureTimeoutHasPassed() {
    Harness a = Harness.settings("a", 10).start(0);
    a.run(Harness.TIMEOUT.minusMillis(250));
    assertThat(a.role()).isEqualTo(Role.INIT);
    assertThat(a.everClaimed()).isFalse();
    a.advance(Harness.TICK);
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.records())
        .extracting(Transition::type)
        .containsExactly(TransitionType.STARTUP, TransitionType.TAKEOVER);
  }

  @Test
  void holdEndsAsSoonAsEveryConfiguredPeerHasBeenHeard() {
    Harness a = Harness.settings("a", 10).peers(2).start(0);
    a.hear(Beat.of("b", 20).backup(0));
    assertThat(a.role()).isEqualTo(Role.INIT);
    a.hear(Beat.of("c", 30).backup(0));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.records().get(0).cause()).contains("heard from every configured peer");
  }

  @Test
  void holdAlsoWaitsForTheWitness() {
    Harness a = Harness.settings("a", 10).witness().start(0);
    a.hear(Beat.of("b", 20).backup(0));
    assertThat(a.role()).isEqualTo(Role.INIT);
    a.hear(Beat.witness("w"));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.records()).extracting(Transition::type).containsExactly(TransitionType.STARTUP);
  }

  @Test
  void nodeInStartupHoldDoesNotClaimEvenIfThePrimaryIsSilent() {
    Harness a = Harness.settings("a", 10).peers(2).start(5);
    a.hear(Beat.of("b", 20).primary(5));
    a.run(Duration.ofMillis(2500));
    assertThat(a.role()).isEqualTo(Role.INIT);
    assertThat(a.everClaimed()).isFalse();
  }

  @Test
  void restartedNodeJoinsAsBackupBehindAnAlivePrimary() {
    Harness a = Harness.settings("a", 10).start(4);
    a.hear(Beat.of("b", 20).primary(5));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.run(Duration.ofSeconds(2), Beat.of("b", 20).primary(5));
    assertThat(a.everClaimed()).isFalse();
    assertThat(a.controller.view(a.now).primaryId()).contains("b");
    assertThat(a.controller.epoch()).isEqualTo(5);
  }
}
