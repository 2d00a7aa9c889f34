package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Section4_HealthTest {

  private static Harness primaryA() {
    Harness a = Harness.settings("a", 10).start(0);
    a.hear(Beat.of("b", 20).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    return a;
  }

  @Test
  void unhealthyPrimaryReleasesItsVipsAtOnce() {
    Harness a = primaryA();
    Decision d = a.step(new Event.HealthChanged(false, "link eth1 down"));
    assertThat(a.role()).isEqualTo(Role.FAULT);
    assertThat(d.actions().get(0)).isInstanceOf(Action.RemoveVips.class);
    Transition t = a.records().get(a.records().size() - 1);
    assertThat(t.type()).isEqualTo(TransitionType.FAULT);
    assertThat(t.cause()).contains("link eth1 down");
    assertThat(a.controller.heartbeat(a.now).healthy()).isFalse();
  }

  @Test
  void nodeInFaultCompetesForNothing() {
    Harness a = Harness.settings("a", 10).start(0);
    a.step(new Event.HealthChanged(false, "no gateway answers"));
    a.run(Duration.ofSeconds(10));
    assertThat(a.role()).isEqualTo(Role.FAULT);
    assertThat(a.everClaimed()).isFalse();
  }

  @Test
  void recoveringNodeBecomesBackupAndThenCompetesAgain() {
    Harness a = primaryA();
    a.step(new Event.HealthChanged(false, "link eth1 down"));
    a.hear(Beat.of("b", 20).primary(2));
    Decision d = a.step(new Event.HealthChanged(true, "link eth1 up"));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(Harness.has(d, Action.AddVips.class)).isFalse();
    assertThat(a.records().get(a.records().size() - 1).type()).isEqualTo(TransitionType.RECOVER);
  }

  @Test
  void healthyBackupIgnoresAnUnhealthyPeerInTheElection() {
    Harness a = Harness.settings("a", 20).start(0);
    a.run(Duration.ofSeconds(4), Beat.of("b", 10).backup(0).healthy(false));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void failingToAddVipsPutsThePrimaryInFaultUntilReset() {
    Harness a = primaryA();
    a.step(
        new Event.ActionFailed(new Action.AddVips(), "RTNETLINK answers: Operation not permitted"));
    assertThat(a.role()).isEqualTo(Role.FAULT);
    assertThat(a.records().get(a.records().size() - 1).cause()).contains("adding the VIPs failed");
    a.run(Duration.ofSeconds(5));
    assertThat(a.role()).isEqualTo(Role.FAULT);
    a.command(new Command.Reset());
    assertThat(a.role()).isIn(Role.BACKUP, Role.PRIMARY);
  }

  @Test
  void failingScriptIsRecordedButKeepsThePrimary() {
    Harness a = primaryA();
    a.step(
        new Event.ActionFailed(
            new Action.RunScript(
                ScriptPhase.POST, TransitionType.TAKEOVER, Role.BACKUP, Role.PRIMARY, 1, "x"),
            "exit 3"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.records().get(a.records().size() - 1).type())
        .isEqualTo(TransitionType.SCRIPT_FAILED);
  }
}
