package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_QuorumTest {

  @Test
  void majorityIsRequiredFromThreeVotersInAutoModeAndCountsTheWitness() {
    assertThat(QuorumRule.of(Harness.settings("a", 1).peers(1).build()))
        .isEqualTo(new QuorumRule(2, 0));
    assertThat(QuorumRule.of(Harness.settings("a", 1).peers(1).witness().build()))
        .isEqualTo(new QuorumRule(3, 2));
    assertThat(QuorumRule.of(Harness.settings("a", 1).peers(2).build()))
        .isEqualTo(new QuorumRule(3, 2));
    assertThat(QuorumRule.of(Harness.settings("a", 1).peers(3).build()))
        .isEqualTo(new QuorumRule(4, 3));
    assertThat(QuorumRule.of(Harness.settings("a", 1).peers(1).quorum(QuorumMode.MAJORITY).build()))
        .isEqualTo(new QuorumRule(2, 2));
    assertThat(QuorumRule.of(Harness.settings("a", 1).peers(4).quorum(QuorumMode.NONE).build()))
        .isEqualTo(new QuorumRule(5, 0));
  }

  @Test
  void nodeWithoutQuorumNeverBecomesPrimary() {
    Harness a = Harness.settings("a", 10).peers(2).start(0);
    a.run(Duration.ofSeconds(20));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.everClaimed()).isFalse();
    assertThat(a.controller.view(a.now).quorum()).isEqualTo(new ControllerView.Quorum(2, 1, false));
  }

  @Test
  void primaryThatLosesQuorumReleasesItsVipsAtOnce() {
    Harness a = Harness.settings("a", 10).peers(2).start(0);
    a.run(Duration.ofSeconds(3), Beat.of("b", 20).backup(0), Beat.of("c", 30).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    a.run(Duration.ofSeconds(3), Beat.of("b", 20).backup(1));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    Decision d = null;
    while (a.role() == Role.PRIMARY) {
      d = a.advance(Harness.TICK);
    }
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
    Transition t = a.records().get(a.records().size() - 1);
    assertThat(t.type()).isEqualTo(TransitionType.RELEASE);
    assertThat(t.cause()).contains("lost quorum: sees 1 of 3 voters, needs 2");
  }

  @Test
  void witnessGivesATwoNodeClusterItsMajority() {
    Harness a = Harness.settings("a", 20).witness().start(1);
    a.run(Duration.ofSeconds(2), Beat.of("b", 10).primary(1), Beat.witness("w").epoch(1));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.run(Duration.ofSeconds(4), Beat.witness("w").epoch(1));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.view(a.now).quorum()).isEqualTo(new ControllerView.Quorum(2, 2, true));
  }

  @Test
  void twoNodesWithoutWitnessNeedNoQuorum() {
    Harness a = Harness.settings("a", 20).start(1);
    a.run(Duration.ofSeconds(4));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.view(a.now).quorum().hasQuorum()).isTrue();
  }

  @Test
  void candidateWhosePeerReportsNoQuorumIsSkipped() {
    Harness a = Harness.settings("a", 20).peers(2).start(0);
    a.run(
        Duration.ofSeconds(4),
        Beat.of("b", 10).backup(0).quorum(false),
        Beat.of("c", 30).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void newlyFormedMajorityWaitsAFailureTimeoutSoAnIsolatedOldPrimaryHasFencedItself() {
    Harness a = Harness.settings("a", 10).peers(2).start(4);
    a.run(Duration.ofSeconds(10));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.run(Harness.TIMEOUT.minus(Harness.TICK), Beat.of("b", 20).backup(4));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.run(Harness.INTERVAL, Beat.of("b", 20).backup(4));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }
}
