package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Section4_PlannedHandoverTest {

  /** a (priority 10) primary at epoch 1 of a three-node cluster with b and c. */
  private static Harness primaryA() {
    Harness a =
        Harness.settings("a", 10)
            .peers(2)
            .failback(FailbackMode.MANUAL, Duration.ofSeconds(5), Duration.ZERO)
            .start(0);
    a.run(
        Harness.TIMEOUT.plus(Harness.TICK), Beat.of("b", 20).backup(0), Beat.of("c", 30).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    return a;
  }

  @Test
  void primaryHandsOverToTheNamedTargetRemovingItsVipsFirst() {
    Harness a = primaryA();
    Decision d = a.command(new Command.Failover(Optional.of("c")));
    assertThat(d.reply())
        .contains(
            new CommandReply(true, "handing over from a to c", Optional.of("a"), Optional.of("c")));
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
    assertThat(d.actions().get(1))
        .isEqualTo(new Action.Announce(Optional.of(new Handover("c", 1))));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.records().get(a.records().size() - 1).cause()).contains("operator failover to c");
  }

  @Test
  void withoutTargetTheBestEligiblePeerIsChosen() {
    Harness a = primaryA();
    a.hear(Beat.of("b", 20).backup(1).inSync(false));
    a.hear(Beat.of("c", 30).backup(1));
    Decision d = a.command(new Command.Failover(Optional.empty()));
    assertThat(d.reply().orElseThrow().to()).contains("c");
  }

  @Test
  void ineligibleTargetIsRejected() {
    Harness a = primaryA();
    a.hear(Beat.of("b", 20).backup(1).healthy(false));
    assertThat(a.command(new Command.Failover(Optional.of("b"))).reply().orElseThrow())
        .satisfies(r -> assertThat(r.accepted()).isFalse())
        .satisfies(r -> assertThat(r.message()).isEqualTo("no eligible target: b is unhealthy"));
    assertThat(a.command(new Command.Failover(Optional.of("zz"))).reply().orElseThrow().message())
        .contains("not a known peer");
    a.hear(Beat.of("b", 20).backup(1).healthy(false));
    a.hear(Beat.of("c", 30).backup(1).inSync(false));
    assertThat(a.command(new Command.Failover(Optional.empty())).reply().orElseThrow().message())
        .startsWith("no eligible target");
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void failoverOnANonPrimaryIsRejectedNamingThePrimary() {
    Harness b = Harness.settings("b", 20).start(0);
    b.hear(Beat.of("a", 10).primary(1));
    CommandReply r = b.command(new Command.Failover(Optional.empty())).reply().orElseThrow();
    assertThat(r.accepted()).isFalse();
    assertThat(r.message()).contains("the primary is a");
  }

  @Test
  void releasingNodeKeepsAnnouncingTheHandoverUntilTheTargetIsPrimary() {
    Harness a = primaryA();
    a.command(new Command.Failover(Optional.of("c")));
    a.run(Duration.ofSeconds(2), Beat.of("b", 20).backup(1), Beat.of("c", 30).backup(1));
    assertThat(a.controller.heartbeat(a.now).handover()).contains(new Handover("c", 1));
    assertThat(a.controller.view(a.now).handover()).contains(new Handover("c", 1));
    assertThat(a.everClaimed()).isTrue();
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.hear(Beat.of("c", 30).primary(2));
    assertThat(a.controller.heartbeat(a.now).handover()).isEmpty();
    a.run(Duration.ofSeconds(10), Beat.of("b", 20).backup(2), Beat.of("c", 30).primary(2));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void handoverIsAbandonedWhenTheTargetDoesNotTakeOverWithinFailureTimeout() {
    Harness a = primaryA();
    a.command(new Command.Failover(Optional.of("c")));
    a.run(Harness.TIMEOUT.plus(Harness.TICK), Beat.of("b", 20).backup(1));
    assertThat(a.records())
        .extracting(Transition::type)
        .contains(TransitionType.HANDOVER_ABANDONED);
    assertThat(a.controller.heartbeat(a.now).handover()).isEmpty();
    // a released its replica role, so the in-sync b is now the preferred candidate, not a.
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    a.step(new Event.ReplicationChanged(true, 9));
    a.run(Harness.INTERVAL, Beat.of("b", 20).backup(1).inSync(false));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.epoch()).isEqualTo(2);
  }

  @Test
  void targetPromotesAtOnceOnAHandoverAddressedToIt() {
    Harness c = Harness.settings("c", 30).peers(2).start(0);
    c.hear(Beat.of("a", 10).primary(1));
    c.hear(Beat.of("b", 20).backup(1));
    assertThat(c.role()).isEqualTo(Role.BACKUP);
    Decision d = c.hear(Beat.of("a", 10).backup(1).handover("c", 1));
    assertThat(c.role()).isEqualTo(Role.PRIMARY);
    assertThat(d.actions().get(0)).isEqualTo(new Action.PersistEpoch(2));
    assertThat(c.records().get(c.records().size() - 1).cause()).contains("planned handover from a");
  }

  @Test
  void otherBackupsWaitWhileAHandoverToAnotherNodeIsInFlight() {
    Harness b = Harness.settings("b", 5).peers(2).start(0);
    b.hear(Beat.of("a", 10).primary(1));
    b.hear(Beat.of("c", 30).backup(1));
    b.hear(Beat.of("a", 10).backup(1).handover("c", 1));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void staleHandoverFromAnOlderEpochIsIgnored() {
    Harness c = Harness.settings("c", 30).peers(2).start(0);
    c.hear(Beat.of("b", 20).primary(3));
    c.hear(Beat.of("a", 10).backup(3).handover("c", 2));
    assertThat(c.role()).isEqualTo(Role.BACKUP);
  }
}
