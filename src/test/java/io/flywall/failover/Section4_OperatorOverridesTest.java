package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_OperatorOverridesTest {

  @Test
  void promoteWithoutQuorumIsRefusedUnlessForced() {
    Harness a = Harness.settings("a", 20).peers(2).start(3);
    a.run(Duration.ofSeconds(4));
    CommandReply r = a.command(new Command.Promote(false)).reply().orElseThrow();
    assertThat(r.accepted()).isFalse();
    assertThat(r.message())
        .isEqualTo("promote refused: no quorum (sees 1 of 3 voters, needs 2), use --force");
    Decision d = a.command(new Command.Promote(true));
    assertThat(d.reply().orElseThrow().accepted()).isTrue();
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(d.actions().get(0)).isEqualTo(new Action.PersistEpoch(4));
    a.run(Duration.ofSeconds(5));
    assertThat(a.role())
        .as("forced primary is not self-fenced while it never had quorum")
        .isEqualTo(Role.PRIMARY);
  }

  @Test
  void promoteTakesTheRoleFromTheCurrentPrimaryWithANewEpoch() {
    Harness b = Harness.settings("b", 20).start(3);
    b.hear(Beat.of("a", 10).primary(3));
    Decision d = b.command(new Command.Promote(false));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    assertThat(d.actions().get(0)).isEqualTo(new Action.PersistEpoch(4));
    assertThat(b.records().get(b.records().size() - 1).type()).isEqualTo(TransitionType.PROMOTE);
    b.hear(Beat.of("a", 10).primary(3));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void resetClearsTheSplitBrainAlarmAndRerunsTheElection() {
    Harness a = Harness.settings("a", 10).probe().start(0);
    a.hear(Beat.of("b", 20).backup(0));
    a.step(new Event.ProbeFinished(true, "192.0.2.1 answered by 52:54:00:aa:bb:cc"));
    Decision d = a.command(new Command.Reset());
    assertThat(d.actions())
        .contains(
            new Action.ClearAlarm(
                FailoverController.SPLIT_BRAIN_RISK, "cleared by operator reset"));
    assertThat(Harness.has(d, Action.ProbeVips.class)).isTrue();
    assertThat(a.controller.view(a.now).alarms()).isEmpty();
    assertThat(a.records().get(a.records().size() - 1).type()).isEqualTo(TransitionType.RESET);
  }

  @Test
  void resetLeavesAnUnhealthyNodeInFaultAndSaysWhy() {
    Harness a = Harness.settings("a", 10).start(0);
    a.step(new Event.HealthChanged(false, "gateway 192.0.2.254 unreachable"));
    CommandReply r = a.command(new Command.Reset()).reply().orElseThrow();
    assertThat(a.role()).isEqualTo(Role.FAULT);
    assertThat(r.message()).contains("still in fault: gateway 192.0.2.254 unreachable");
  }

  @Test
  void resetLiftsASuspendedAutomaticFailback() {
    Harness a = Harness.settings("a", 10).start(0);
    a.command(new Command.SetFailback(false));
    a.command(new Command.Reset());
    assertThat(a.controller.view(a.now).failback().enabled()).isTrue();
    assertThat(a.controller.heartbeat(a.now).failbackVersion()).isEqualTo(2);
  }
}
