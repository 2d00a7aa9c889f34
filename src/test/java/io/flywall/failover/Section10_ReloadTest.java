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
              // b is now the better node: the history says when it gets the role back.
              assertThat(t.cause()).startsWith("reloaded: priority 10 -> 200; failback to b at ");
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

  /** b (20) primary while a (10) was unhealthy; a is back, so b waits to fail back to it. */
  private static Harness primaryBWaitingToFailBack(Harness.Settings settings) {
    Harness b = settings.start(0);
    b.run(Harness.TIMEOUT.plus(Harness.TICK), Beat.of("a", 10).backup(0).healthy(false));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.run(Duration.ofSeconds(1), Beat.of("a", 10).backup(1));
    assertThat(b.controller.view(b.now).failback().pendingUntil()).isPresent();
    return b;
  }

  @Test
  void aReloadFromAutoToManualSaysThatThePendingFailbackIsNoLongerDueAndHowToArmIt() {
    Harness.Settings settings = Harness.settings("b", 20);
    Harness b = primaryBWaitingToFailBack(settings);
    b.step(
        new Event.Reload(
            Optional.of(with(settings.build(), 20, FailbackMode.MANUAL, Duration.ofSeconds(5))),
            "reloaded: failback_mode auto -> manual"));

    assertThat(b.records().get(b.records().size() - 1).cause())
        .startsWith(
            "reloaded: failback_mode auto -> manual; failback_mode auto -> manual: automatic"
                + " failback enabled is now manual failback not armed; the failback to a at ")
        .endsWith(" is no longer pending ('flywall ha failback enable' arms it)");
    b.run(Duration.ofSeconds(10), Beat.of("a", 10).backup(1));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);

    // Armed, it happens after failback_delay.
    b.command(new Command.SetFailback(true));
    b.run(Duration.ofSeconds(6), Beat.of("a", 10).backup(1));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void aReloadFromArmedManualToAutoKeepsThePendingFailbackAndSaysSo() {
    Harness.Settings settings =
        Harness.settings("b", 20)
            .failback(FailbackMode.MANUAL, Duration.ofSeconds(5), Duration.ZERO);
    Harness b = settings.start(0);
    b.run(Harness.TIMEOUT.plus(Harness.TICK), Beat.of("a", 10).backup(0).healthy(false));
    b.command(new Command.SetFailback(true));
    b.run(Duration.ofSeconds(1), Beat.of("a", 10).backup(1));
    var due = b.controller.view(b.now).failback().pendingUntil();
    assertThat(due).isPresent();

    b.step(
        new Event.Reload(
            Optional.of(with(settings.build(), 20, FailbackMode.AUTO, Duration.ofSeconds(5))),
            "reloaded: failback_mode manual -> auto"));

    assertThat(b.records().get(b.records().size() - 1).cause())
        .isEqualTo(
            "reloaded: failback_mode manual -> auto; failback_mode manual -> auto: manual failback"
                + " armed is now automatic failback enabled");
    assertThat(b.controller.view(b.now).failback().pendingUntil()).isEqualTo(due);
    b.run(Duration.ofSeconds(5), Beat.of("a", 10).backup(1));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void aReloadOfALongerFailbackDelayMovesThePendingFailbackAndSaysWhen() {
    Harness.Settings settings = Harness.settings("b", 20);
    Harness b = primaryBWaitingToFailBack(settings);
    var due = b.controller.view(b.now).failback().pendingUntil().orElseThrow();
    b.step(
        new Event.Reload(
            Optional.of(with(settings.build(), 20, FailbackMode.AUTO, Duration.ofSeconds(60))),
            "reloaded: failback_delay 5s -> 60s"));

    var later = b.controller.view(b.now).failback().pendingUntil().orElseThrow();
    assertThat(later).isEqualTo(due.plusSeconds(55));
    assertThat(b.records().get(b.records().size() - 1).cause())
        .isEqualTo(
            "reloaded: failback_delay 5s -> 60s; failback to a at "
                + later
                + " (was to a at "
                + due
                + ")");
  }
}
