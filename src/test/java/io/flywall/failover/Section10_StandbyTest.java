package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * DESIGN 10.6: a node in standby hands its role over (planned) and is never elected until
 * unstandby.
 */
class Section10_StandbyTest {

  /** a (priority 10, auto failback after 5 s) primary at epoch 1 of a cluster with b and c. */
  private static Harness primaryA() {
    Harness a = Harness.settings("a", 10).peers(2).start(0);
    a.run(
        Harness.TIMEOUT.plus(Harness.TICK), Beat.of("b", 20).backup(0), Beat.of("c", 30).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    return a;
  }

  @Test
  void aPrimaryPutInStandbyHandsOverToTheNextPreferredNodeRemovingItsVipsFirst() {
    Harness a = primaryA();
    Decision d = a.command(new Command.Standby(true));
    assertThat(d.reply())
        .contains(
            new CommandReply(
                true, "in standby: handing over from a to b", Optional.of("a"), Optional.of("b")));
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
    assertThat(d.actions().get(1))
        .isEqualTo(new Action.Announce(Optional.of(new Handover("b", 1))));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.controller.heartbeat(a.now).standby()).isTrue();
    assertThat(a.controller.view(a.now).standby()).isTrue();
    assertThat(a.records().get(a.records().size() - 1).type()).isEqualTo(TransitionType.STANDBY);
  }

  @Test
  void aStandbyNodeNeverReclaimsWithAutoFailbackUntilUnstandby() {
    Harness a = primaryA();
    a.command(new Command.Standby(true));
    a.actions.clear();
    a.run(Duration.ofSeconds(60), Beat.of("b", 20).primary(2), Beat.of("c", 30).backup(2));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.everClaimed()).isFalse();

    // The primary goes silent too: a standby node still does not take over.
    a.run(Duration.ofSeconds(30), Beat.of("c", 30).backup(2));
    assertThat(a.everClaimed()).isFalse();

    Decision d = a.command(new Command.Standby(false));
    assertThat(d.reply().orElseThrow().accepted()).isTrue();
    assertThat(a.controller.heartbeat(a.now).standby()).isFalse();
    assertThat(a.records().get(a.records().size() - 1).type()).isEqualTo(TransitionType.UNSTANDBY);
    // Its replica caught up meanwhile: now it is the preferred candidate.
    a.step(new Event.ReplicationChanged(true, 0));
    a.run(Harness.TIMEOUT.plus(Harness.TICK), Beat.of("c", 30).backup(2));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void standbyIsRefusedWhenNoPeerCanTakeTheRoleAndTheNodeStaysPrimary() {
    Harness a = primaryA();
    a.hear(Beat.of("b", 20).backup(1).healthy(false));
    a.hear(Beat.of("c", 30).backup(1).standby(true));
    CommandReply r = a.command(new Command.Standby(true)).reply().orElseThrow();
    assertThat(r.accepted()).isFalse();
    assertThat(r.message()).startsWith("standby refused").contains("stays primary");
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.standby()).isFalse();
  }

  @Test
  void aPeerInStandbyIsSkippedByTheElectionAndByFailover() {
    // b (20) hears a (10, better) in standby and no primary: b takes over instead of waiting for a.
    Harness b = Harness.settings("b", 20).start(0);
    b.run(Harness.TIMEOUT.multipliedBy(3), Beat.of("a", 10).backup(0).standby(true));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);

    CommandReply r = b.command(new Command.Failover(Optional.of("a"))).reply().orElseThrow();
    assertThat(r.accepted()).isFalse();
    assertThat(r.message()).isEqualTo("no eligible target: a is in standby");
  }

  @Test
  void aStandbyPeerIsNoFailbackTarget() {
    Harness b = Harness.settings("b", 20).start(0);
    b.run(Harness.TIMEOUT.multipliedBy(3), Beat.of("a", 10).backup(0).standby(true));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.run(Duration.ofSeconds(30), Beat.of("a", 10).backup(1).standby(true));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aStandbyBackupDoesNotAcceptAHandoverAddressedToIt() {
    Harness a = Harness.settings("a", 10).peers(2).persistedStandby().start(0);
    a.run(Harness.TIMEOUT, Beat.of("b", 20).primary(1), Beat.of("c", 30).backup(1));
    a.hear(Beat.of("b", 20).backup(1).handover("a", 1));
    a.run(Duration.ofSeconds(10), Beat.of("c", 30).backup(1));
    assertThat(a.everClaimed()).isFalse();
    assertThat(a.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void standbyPersistedAcrossARestartKeepsTheNodeIneligibleAndPromoteIsRefused() {
    Harness a = Harness.settings("a", 10).persistedStandby().start(0);
    a.run(Duration.ofSeconds(30));
    assertThat(a.everClaimed()).isFalse();
    assertThat(a.controller.view(a.now).standby()).isTrue();
    CommandReply r = a.command(new Command.Promote(true)).reply().orElseThrow();
    assertThat(r.accepted()).isFalse();
    assertThat(r.message()).contains("standby").contains("unstandby");
  }

  @Test
  void resetKeepsTheOperatorsStandbyAndSaysItResumedASuspendedFailback() {
    Harness a = Harness.settings("a", 10).persistedStandby().start(0);
    a.command(new Command.SetFailback(false));
    CommandReply r = a.command(new Command.Reset()).reply().orElseThrow();
    assertThat(a.controller.standby()).isTrue();
    // Not silently: the operator's suspension is named in what reset cleared.
    assertThat(r.message()).contains("failback suspension");
    assertThat(a.controller.view(a.now).failback().enabled()).isTrue();
  }

  @Test
  void standbyOfAnotherNodeIsCarriedInHeartbeatsUntilThatNodeShowsIt() {
    Harness a = primaryA();
    CommandReply r = a.command(new Command.StandbyOf("c", true)).reply().orElseThrow();
    assertThat(r.accepted()).isTrue();
    assertThat(r.message()).isEqualTo("asked c to go into standby");
    StandbyRequest asked = a.controller.heartbeat(a.now).standbyRequest().orElseThrow();
    assertThat(asked.node()).isEqualTo("c");
    assertThat(asked.on()).isTrue();
    // Nothing changes here: c applies it (a's own standby and role stay).
    assertThat(a.controller.standby()).isFalse();
    assertThat(a.role()).isEqualTo(Role.PRIMARY);

    a.hear(Beat.of("c", 30).backup(1).standby(true));
    assertThat(a.controller.heartbeat(a.now).standbyRequest()).isEmpty();
    assertThat(a.controller.view(a.now).peers())
        .filteredOn(p -> p.nodeId().equals("c"))
        .singleElement()
        .extracting(ControllerView.Peer::standby)
        .isEqualTo(true);
  }

  @Test
  void standbyOfAnotherNodeExpiresAfterTwoFailureTimeoutsWhenThatNodeNeverShowsIt() {
    Harness a = primaryA();
    a.command(new Command.StandbyOf("c", true));
    a.run(Harness.TIMEOUT.multipliedBy(2).minus(Harness.TICK), Beat.of("c", 30).backup(1));
    assertThat(a.controller.heartbeat(a.now).standbyRequest()).isPresent();
    a.run(Harness.TICK.multipliedBy(2), Beat.of("c", 30).backup(1));
    assertThat(a.controller.heartbeat(a.now).standbyRequest()).isEmpty();
  }

  @Test
  void standbyOfANodeThatIsNotAliveOrAWitnessIsRefused() {
    Harness a = primaryA();
    CommandReply never = a.command(new Command.StandbyOf("zz", true)).reply().orElseThrow();
    assertThat(never.accepted()).isFalse();
    assertThat(never.message()).contains("never heard it").contains("flywall ha standby' on zz");

    a.run(Harness.TIMEOUT.multipliedBy(2), Beat.of("b", 20).backup(1));
    CommandReply silent = a.command(new Command.StandbyOf("c", true)).reply().orElseThrow();
    assertThat(silent.accepted()).isFalse();
    assertThat(silent.message()).contains("not alive here");
    assertThat(a.controller.heartbeat(a.now).standbyRequest()).isEmpty();

    Harness w = Harness.settings("a", 10).peers(1).start(0);
    w.hear(Beat.witness("w"));
    CommandReply witness = w.command(new Command.StandbyOf("w", true)).reply().orElseThrow();
    assertThat(witness.accepted()).isFalse();
    assertThat(witness.message()).contains("witness");
  }

  @Test
  void aPrimaryAskedForStandbyByAPeerHandsOverOnceAndSaysWhoAsked() {
    Harness a = primaryA();
    Decision d = a.hear(Beat.of("b", 20).backup(1).asks("a", true, 7));
    assertThat(a.controller.standby()).isTrue();
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(d.actions()).contains(new Action.Announce(Optional.of(new Handover("b", 1))));
    assertThat(a.records().get(a.records().size() - 1).cause())
        .isEqualTo("operator standby (asked on b): handing the primary role over to b");

    // The operator takes it back on a: the request b still carries is not applied again.
    a.command(new Command.Standby(false));
    a.hear(Beat.of("b", 20).primary(2).asks("a", true, 7));
    assertThat(a.controller.standby()).isFalse();
    // A new request is.
    a.hear(Beat.of("b", 20).primary(2).asks("a", false, 8));
    a.hear(Beat.of("b", 20).primary(2).asks("a", true, 9));
    assertThat(a.controller.standby()).isTrue();
  }

  @Test
  void aPrimaryAskedByAPeerWithNobodyToHandOverToStaysPrimaryAndKeepsTheReasonInItsHistory() {
    Harness a = primaryA();
    a.hear(Beat.of("c", 30).backup(1).inSync(false));
    a.hear(Beat.of("b", 20).backup(1).inSync(false).asks("a", true, 7));
    assertThat(a.controller.standby()).isFalse();
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    Transition last = a.records().get(a.records().size() - 1);
    assertThat(last.type()).isEqualTo(TransitionType.STANDBY);
    assertThat(last.fromRole()).isEqualTo(Role.PRIMARY);
    assertThat(last.toRole()).isEqualTo(Role.PRIMARY);
    assertThat(last.cause())
        .startsWith(
            "operator standby (asked on b): standby refused: no peer is alive, healthy, in"
                + " sync");
  }

  @Test
  void theAnswerToAStandbyOfAnotherNodeIsAwaitedTwoFailureTimeoutsButNeverLessThanThreeSeconds() {
    assertThat(FailoverController.standbyAnswerWait(Duration.ofMillis(300)))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(FailoverController.standbyAnswerWait(Duration.ofSeconds(3)))
        .isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void aRequestForAnotherNodeIsIgnored() {
    Harness a = primaryA();
    a.hear(Beat.of("b", 20).backup(1).asks("c", true, 3));
    assertThat(a.controller.standby()).isFalse();
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void standbyOfThisNodeByNameIsTheOwnStandby() {
    Harness a = primaryA();
    CommandReply r = a.command(new Command.StandbyOf("a", true)).reply().orElseThrow();
    assertThat(r.message()).isEqualTo("in standby: handing over from a to b");
    assertThat(a.controller.standby()).isTrue();
  }
}
