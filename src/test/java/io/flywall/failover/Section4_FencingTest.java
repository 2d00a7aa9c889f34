package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_FencingTest {

  private static Harness primary(String id, int priority, long epoch) {
    Harness h = Harness.settings(id, priority).peers(2).quorum(QuorumMode.NONE).start(epoch - 1);
    h.run(Harness.TIMEOUT);
    assertThat(h.role()).isEqualTo(Role.PRIMARY);
    assertThat(h.controller.epoch()).isEqualTo(epoch);
    return h;
  }

  @Test
  void primaryDemotesAtOnceOnSeeingHigherEpoch() {
    Harness a = primary("a", 10, 5);
    Decision d = a.hear(Beat.of("b", 20).primary(6));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
    Transition t = a.records().get(a.records().size() - 1);
    assertThat(t.type()).isEqualTo(TransitionType.DEMOTE);
    assertThat(t.cause()).contains("primary b has epoch 6 > own epoch 5");
  }

  @Test
  void primaryDemotesOnSeeingSameEpochHeldByABetterPrimary() {
    Harness b = primary("b", 20, 5);
    b.hear(Beat.of("a", 10).primary(5));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    assertThat(b.records().get(b.records().size() - 1).cause()).contains("same epoch 5");
  }

  @Test
  void betterPrimaryRaisesItsEpochOverALesserRivalWithTheSameEpoch() {
    Harness a = primary("a", 10, 5);
    Decision d = a.hear(Beat.of("b", 20).primary(5));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(d.actions()).contains(new Action.PersistEpoch(6));
    assertThat(a.controller.heartbeat(a.now).epoch()).isEqualTo(6);
  }

  @Test
  void aPrimaryThatRaisesItsEpochServesReplicationUnderTheNewEpoch() {
    Harness a = primary("a", 10, 5);
    Decision d = a.hear(Beat.of("b", 20).primary(5));
    // Replicas refuse streams from an epoch older than the one they know: without the switch the
    // primary would go on serving epoch 5 and no replica would ever be in sync again.
    assertThat(a.kinds(d))
        .containsSubsequence(Action.PersistEpoch.class, Action.SwitchReplicationRole.class);
    assertThat(d.actions()).contains(new Action.SwitchReplicationRole(Role.PRIMARY));
  }

  @Test
  void aPrimaryHearingAStalePrimaryAnnouncesTheVipsAgainAtOnce() {
    Harness a = primary("a", 20, 5);
    Decision d = a.hear(Beat.of("b", 10).primary(4));
    assertThat(d.actions()).contains(new Action.ReannounceVips());
    d = a.hear(Beat.of("c", 30).backup(5));
    assertThat(d.actions()).doesNotContain(new Action.ReannounceVips());
  }

  @Test
  void primaryYieldsToARivalThatKeepsItsRoleBecauseItCannotHearThisNode() {
    Harness a = primary("a", 10, 5);
    a.hear(Beat.of("b", 20).primary(5));
    a.run(Duration.ofMillis(1750), Beat.of("b", 20).primary(5));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    a.run(Duration.ofMillis(500), Beat.of("b", 20).primary(5));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.records().get(a.records().size() - 1).cause())
        .contains("it does not hear this node");
    a.run(Duration.ofSeconds(10), Beat.of("b", 20).primary(5));
    assertThat(a.role()).as("no fight with the primary it yielded to").isEqualTo(Role.BACKUP);
  }

  @Test
  void primaryDemotesWhenAnyPeerRelaysAHigherEpoch() {
    Harness a = primary("a", 10, 5);
    a.hear(Beat.of("c", 30).backup(7));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.records().get(a.records().size() - 1).cause())
        .contains("a newer primary was elected");
  }

  @Test
  void demotedNodeWaitsAFailureTimeoutBeforeCompetingAgainstAnUnseenNewerPrimary() {
    Harness a = primary("a", 10, 5);
    a.hear(Beat.of("c", 30).backup(7));
    a.run(Harness.TIMEOUT.minus(Harness.TICK), Beat.of("c", 30).backup(7));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void pausedPrimaryStepsDownWhenItResumesAndHearsTheNewPrimary() {
    Harness a = primary("a", 10, 5);
    a.now = a.now.plus(Duration.ofSeconds(30));
    a.tick();
    Decision d = a.hear(Beat.of("b", 20).primary(6));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
  }

  @Test
  void primaryKeepsItsRoleAgainstALowerEpochPrimary() {
    Harness a = primary("a", 20, 5);
    a.hear(Beat.of("b", 10).primary(4));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  // Two nodes elected at the same moment at the same epoch, each cut off from the other but both
  // heard by a third voter: each keeps a majority through it. The voter follows the preferred one
  // (PeerTable.alivePrimary) and says so in its heartbeats; the other must give way (found by the
  // simulation, seed 6915571352471480205).

  @Test
  void aPrimaryStepsDownWhenAVoterAtItsEpochFollowsAnotherPrimaryItCannotHear() {
    Harness c = primary("c", 20, 1);
    Decision d = c.hear(Beat.of("a", 30).backup(1).follows("b"));
    assertThat(c.role()).isEqualTo(Role.BACKUP);
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
    Transition t = c.records().get(c.records().size() - 1);
    assertThat(t.type()).isEqualTo(TransitionType.DEMOTE);
    assertThat(t.cause()).contains("a follows primary b at this node's epoch 1");
  }

  @Test
  void aPrimaryKeepsItsRoleWhileTheVotersFollowIt() {
    Harness c = primary("c", 20, 1);
    c.run(Harness.TIMEOUT, Beat.of("a", 30).backup(1).follows("c"));
    assertThat(c.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aVoterThatHasNotYetHeardOfThisPrimarysEpochDoesNotUnseatIt() {
    // Its view of the primary is older than this takeover: it follows whoever held epoch 0.
    Harness c = primary("c", 20, 1);
    c.run(Harness.TIMEOUT, Beat.of("a", 30).backup(0).follows("b"));
    assertThat(c.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aRivalThisPrimaryHearsItselfIsJudgedByItsOwnHeartbeatNotByTheVoters() {
    // b is less preferred: c raises its epoch so b steps down, whatever a said a moment ago.
    Harness c = primary("c", 20, 1);
    c.hear(Beat.of("b", 30).primary(1));
    Decision d = c.hear(Beat.of("a", 40).backup(1).follows("b"));
    assertThat(c.role()).isEqualTo(Role.PRIMARY);
    assertThat(c.controller.epoch()).isEqualTo(2);
    assertThat(Harness.has(d, Action.RemoveVips.class)).isFalse();
  }

  @Test
  void aPrimaryThatGaveWayToAnUnheardRivalDoesNotClaimAgainWhileTheVotersFollowIt() {
    Harness c = primary("c", 20, 1);
    Beat followsB = Beat.of("a", 30).backup(1).follows("b");
    c.hear(followsB);
    c.run(Harness.TIMEOUT.multipliedBy(3), followsB);
    assertThat(c.role()).isEqualTo(Role.BACKUP);
    assertThat(c.controller.epoch()).isEqualTo(1);
    // b is gone: a follows nobody (and, like c, has nobody to be in sync with), and c, the
    // preferred candidate, takes over.
    c.run(Harness.TIMEOUT, Beat.of("a", 30).backup(1).inSync(false));
    assertThat(c.role()).isEqualTo(Role.PRIMARY);
    assertThat(c.controller.epoch()).isEqualTo(2);
  }
}
