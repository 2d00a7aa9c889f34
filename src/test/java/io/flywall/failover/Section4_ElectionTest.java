package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.util.List;
import org.junit.jupiter.api.Test;

class Section4_ElectionTest {

  @Test
  void lowestPriorityIsThePreferredCandidate() {
    Harness a = Harness.settings("a", 20).start(0);
    a.hear(Beat.of("b", 10).backup(0));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    Harness b = Harness.settings("b", 10).start(0);
    b.hear(Beat.of("a", 20).backup(0));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void equalPrioritiesAreBrokenByNodeId() {
    Harness b = Harness.settings("b", 10).start(0);
    b.hear(Beat.of("a", 10).backup(0));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    Harness a = Harness.settings("a", 10).start(0);
    a.hear(Beat.of("b", 10).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void replicaNotInSyncIsNotEligibleWhileAnInSyncCandidateExists() {
    Harness a = Harness.settings("a", 10).startOutOfSync(0);
    a.hear(Beat.of("b", 20).backup(0).inSync(true));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.step(new Event.ReplicationChanged(true, 42));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void replicaNotInSyncMayWinWhenNoCandidateIsInSync() {
    Harness a = Harness.settings("a", 10).startOutOfSync(0);
    a.hear(Beat.of("b", 20).backup(0).inSync(false));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void backupNeverClaimsWhileAnAlivePrimaryHasTheCurrentEpoch() {
    Harness a = Harness.settings("a", 10).start(3);
    a.run(java.time.Duration.ofSeconds(20), Beat.of("b", 20).primary(3));
    assertThat(a.everClaimed()).isFalse();
  }

  @Test
  void takeoverPersistsTheEpochFirstAndCommitsStateBeforeTheVipsMove() {
    Harness a = Harness.settings("a", 10).start(7);
    a.hear(Beat.of("b", 20).backup(9).primary(9));
    Decision takeover = null;
    for (int i = 0; i < 20 && takeover == null; i++) {
      Decision d = a.advance(Harness.TICK);
      takeover = Harness.has(d, Action.PersistEpoch.class) ? d : null;
    }
    assertThat(takeover).as("b falls silent: a takes over").isNotNull();
    assertThat(a.kinds(takeover))
        .containsExactly(
            Action.PersistEpoch.class,
            Action.SwitchReplicationRole.class,
            Action.CommitConnectionState.class,
            Action.RunScript.class,
            Action.AddVips.class,
            Action.Announce.class,
            Action.RunScript.class,
            Action.Record.class);
    assertThat(takeover.actions().get(0)).isEqualTo(new Action.PersistEpoch(10));
    assertThat(((Action.RunScript) takeover.actions().get(3)).phase()).isEqualTo(ScriptPhase.PRE);
  }

  @Test
  void promotionEpochIsOneAboveTheHighestEpochSeenIncludingItsOwn() {
    Harness a = Harness.settings("a", 10).start(12);
    a.hear(Beat.of("b", 20).backup(4));
    assertThat(a.controller.epoch()).isEqualTo(13);
  }

  @Test
  void backupToldOfANewerEpochByANonPrimaryWaitsAFailureTimeoutBeforeCompeting() {
    Harness a = Harness.settings("a", 10).start(7);
    a.hear(Beat.of("b", 20).backup(9));
    a.run(Harness.TIMEOUT.minus(Harness.TICK), Beat.of("b", 20).backup(9));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.run(Harness.INTERVAL, Beat.of("b", 20).backup(9));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.epoch()).isEqualTo(10);
  }

  @Test
  void backupThatProbesClaimsOnlyAfterACleanProbe() {
    Harness a = Harness.settings("a", 10).probe().start(0);
    Decision d = a.hear(Beat.of("b", 20).backup(0));
    assertThat(a.kinds(d)).contains(Action.ProbeVips.class).doesNotContain(Action.AddVips.class);
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    d = a.step(new Event.ProbeFinished(false, "no answer for 192.0.2.1"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(Harness.has(d, Action.AddVips.class)).isTrue();
  }

  @Test
  void probeConflictRaisesSplitBrainRiskOnceAndProbesAgainNextTick() {
    Harness a = Harness.settings("a", 10).probe().start(0);
    a.hear(Beat.of("b", 20).backup(0));
    a.step(new Event.ProbeFinished(true, "192.0.2.1 answered by 52:54:00:aa:bb:cc"));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.controller.view(a.now).alarms())
        .extracting(ControllerView.Alarm::name)
        .containsExactly(FailoverController.SPLIT_BRAIN_RISK);
    for (int i = 0; i < 3; i++) {
      Decision d = a.advance(Harness.TICK);
      assertThat(Harness.has(d, Action.ProbeVips.class)).isTrue();
      a.step(new Event.ProbeFinished(true, "still answered"));
    }
    List<Transition> risks =
        a.records().stream().filter(t -> t.type() == TransitionType.SPLIT_BRAIN_RISK).toList();
    assertThat(risks).hasSize(1);
    assertThat(a.actions.stream().filter(Action.RaiseAlarm.class::isInstance)).hasSize(1);
    assertThat(a.everClaimed()).isFalse();
    a.advance(Harness.TICK);
    a.step(new Event.ProbeFinished(false, "no answer"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.view(a.now).alarms()).isEmpty();
  }

  @Test
  void backupTakesOverOnTheFirstCleanProbeAfterThePrimaryFallsSilent() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    a.run(Harness.TIMEOUT.plus(Harness.INTERVAL), Beat.of("b", 10).primary(1));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    Decision probe = null;
    for (int i = 0; i < 40 && probe == null; i++) {
      Decision d = a.advance(Harness.TICK);
      if (Harness.has(d, Action.ProbeVips.class)) {
        probe = d;
      }
    }
    assertThat(probe).as("a probe once b is silent").isNotNull();
    a.advance(Harness.TICK);
    a.advance(Harness.TICK);
    a.advance(Harness.TICK);
    Decision answer = a.step(new Event.ProbeFinished(false, "no answer"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(Harness.has(answer, Action.AddVips.class)).isTrue();
  }

  @Test
  void aProbeSlowerThanTheFailureTimeoutStillLeadsToTakeoverWhenItAnswers() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    a.run(Harness.TIMEOUT.plus(Harness.INTERVAL), Beat.of("b", 10).primary(1));
    boolean probed = false;
    for (int i = 0; i < 40 && !probed; i++) {
      probed = Harness.has(a.advance(Harness.TICK), Action.ProbeVips.class);
    }
    assertThat(probed).isTrue();
    // The probe outlasts failure_timeout; the controller waits for its answer.
    a.run(Harness.TIMEOUT.plus(Harness.TICK));
    Decision answer = a.step(new Event.ProbeFinished(false, "no answer"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(Harness.has(answer, Action.AddVips.class)).isTrue();
  }
}
