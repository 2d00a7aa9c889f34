package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DESIGN 10.6: a reload changes priority and failback settings live, keeping the role. */
class Section10_ReloadTest {

  private static ControllerSettings with(
      ControllerSettings s, int priority, FailbackMode mode, Duration delay) {
    return new ControllerSettings(
        s.nodeId(),
        priority,
        mode,
        delay,
        s.failbackWindow(),
        s.heartbeatInterval(),
        s.failureTimeout(),
        s.quorumMode(),
        s.configuredPeers(),
        s.hasWitness(),
        s.probeBeforeClaim(),
        s.startupHold());
  }

  @Test
  void aReloadedPriorityKeepsThePrimaryRoleAndThenFailsBackToTheNowBetterPeer() {
    Harness.Settings settings = Harness.settings("a", 10);
    Harness a = settings.start(0);
    a.run(Harness.TIMEOUT.plus(Harness.TICK), Beat.of("b", 20).backup(0));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    a.actions.clear();

    Decision d =
        a.step(
            new Event.Reload(
                Optional.of(with(settings.build(), 200, FailbackMode.AUTO, Duration.ofSeconds(10))),
                "reloaded: priority 10 -> 200"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(Harness.has(d, Action.RemoveVips.class)).isFalse();
    assertThat(a.controller.heartbeat(a.now).priority()).isEqualTo(200);
    assertThat(a.records())
        .last()
        .satisfies(
            t -> {
              assertThat(t.type()).isEqualTo(TransitionType.RELOAD);
              assertThat(t.cause()).isEqualTo("reloaded: priority 10 -> 200");
            });

    // b is now preferred: automatic failback after the reloaded failback_delay.
    a.run(Duration.ofSeconds(10), Beat.of("b", 20).backup(1));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.records()).anyMatch(t -> t.type() == TransitionType.FAILBACK);
  }

  @Test
  void aReloadToManualModeNeverArmsAFailbackByItself() {
    Harness.Settings settings = Harness.settings("b", 20);
    Harness b = settings.start(0);
    b.run(Harness.TIMEOUT.plus(Harness.TICK), Beat.of("a", 10).backup(0).healthy(false));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.step(
        new Event.Reload(
            Optional.of(with(settings.build(), 20, FailbackMode.MANUAL, Duration.ZERO)),
            "reloaded: failback_mode auto -> manual"));
    b.run(Duration.ofSeconds(20), Beat.of("a", 10).backup(1));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    assertThat(b.controller.view(b.now).failback().mode()).isEqualTo(FailbackMode.MANUAL);
    assertThat(b.controller.view(b.now).failback().enabled()).isFalse();
  }

  @Test
  void aRefusedReloadIsRecordedAndChangesNothing() {
    Harness a = Harness.settings("a", 10).start(0);
    a.step(new Event.Reload(Optional.empty(), "reload refused: node_id cannot change live"));
    assertThat(a.controller.heartbeat(a.now).priority()).isEqualTo(10);
    assertThat(a.records())
        .last()
        .satisfies(
            t -> {
              assertThat(t.type()).isEqualTo(TransitionType.RELOAD);
              assertThat(t.cause()).contains("refused");
            });
  }

  @Test
  void settingsThatCannotChangeLiveAreRejectedByTheController() {
    Harness.Settings settings = Harness.settings("a", 10);
    Harness a = settings.start(0);
    ControllerSettings s = settings.build();
    ControllerSettings otherNode =
        new ControllerSettings(
            "z",
            s.priority(),
            s.failbackMode(),
            s.failbackDelay(),
            s.failbackWindow(),
            s.heartbeatInterval(),
            s.failureTimeout(),
            s.quorumMode(),
            s.configuredPeers(),
            s.hasWitness(),
            s.probeBeforeClaim(),
            s.startupHold());
    assertThatThrownBy(() -> a.step(new Event.Reload(Optional.of(otherNode), "x")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
