package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Stickiness and failback: the current primary hands the role back to the preferred node. */
class Section4_FailbackTest {

  private static final Duration DELAY = Duration.ofSeconds(5);

  /** b (priority 20) is primary at epoch 2; a (priority 10) has just come back. */
  private static Harness primaryB(FailbackMode mode, Duration window) {
    Harness b = Harness.settings("b", 20).failback(mode, DELAY, window).start(1);
    b.run(Harness.TIMEOUT);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    return b;
  }

  private static Beat preferredA(long epoch) {
    return Beat.of("a", 10).backup(epoch);
  }

  @Test
  void healthyPrimaryIsNotPreemptedByABetterBackupThatIsNotInSync() {
    Harness b = primaryB(FailbackMode.AUTO, Duration.ZERO);
    b.run(Duration.ofSeconds(30), preferredA(2).inSync(false));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void autoFailbackHandsOverOnceThePreferredNodeWasFitForFailbackDelay() {
    Harness b = primaryB(FailbackMode.AUTO, Duration.ZERO);
    Instant fitFrom = b.now;
    b.hear(preferredA(2));
    assertThat(b.controller.view(b.now).failback().pendingUntil()).contains(fitFrom.plus(DELAY));
    b.run(DELAY.minus(Harness.TICK), preferredA(2));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.run(Harness.INTERVAL, preferredA(2));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    Transition t = b.records().get(b.records().size() - 1);
    assertThat(t.type()).isEqualTo(TransitionType.FAILBACK);
    assertThat(t.cause()).contains("failback to a");
    assertThat(b.controller.heartbeat(b.now).handover()).contains(new Handover("a", 2));
  }

  @Test
  void failbackDelayRestartsWhenThePreferredNodeFlaps() {
    Harness b = primaryB(FailbackMode.AUTO, Duration.ZERO);
    b.run(Duration.ofSeconds(4), preferredA(2));
    b.hear(preferredA(2).healthy(false));
    b.run(Duration.ofSeconds(4), preferredA(2));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.run(Duration.ofSeconds(2), preferredA(2));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void autoFailbackHappensAtMostOncePerFailbackWindow() {
    Harness b = primaryB(FailbackMode.AUTO, Duration.ofSeconds(60));
    b.run(Duration.ofSeconds(6), preferredA(2));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    // a takes over, then fails; b is primary again and a comes back at once.
    b.hear(Beat.of("a", 10).primary(3));
    b.run(Duration.ofSeconds(4));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.run(Duration.ofSeconds(20), preferredA(4));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    Instant windowEnd =
        b.records().stream()
            .filter(t -> t.type() == TransitionType.FAILBACK)
            .findFirst()
            .orElseThrow()
            .time()
            .plusSeconds(60);
    assertThat(b.controller.view(b.now).failback().pendingUntil()).contains(windowEnd);
    b.command(new Command.Reset());
    b.run(Duration.ofSeconds(1), preferredA(4));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void suspendedAutoFailbackDoesNotHandOver() {
    Harness b = primaryB(FailbackMode.AUTO, Duration.ZERO);
    CommandReply reply = b.command(new Command.SetFailback(false)).reply().orElseThrow();
    assertThat(reply.message()).contains("suspended");
    b.run(Duration.ofSeconds(30), preferredA(2).failback(false, 1));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    assertThat(b.controller.view(b.now).failback().pendingUntil()).isEmpty();
  }

  @Test
  void manualFailbackHappensOnlyWhenArmedAndDisarmsAfterwards() {
    Harness b = primaryB(FailbackMode.MANUAL, Duration.ZERO);
    b.run(Duration.ofSeconds(30), preferredA(2).failback(false, 0));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.command(new Command.SetFailback(true));
    b.run(Duration.ofSeconds(1), preferredA(2).failback(true, 1));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    PeerHeartbeat hb = b.controller.heartbeat(b.now);
    assertThat(hb.failbackEnabled()).isFalse();
    assertThat(hb.failbackVersion()).isEqualTo(2);
  }

  @Test
  void disabledFailbackNeverHandsOverAutomatically() {
    Harness b = primaryB(FailbackMode.DISABLED, Duration.ZERO);
    b.command(new Command.SetFailback(true));
    b.run(Duration.ofSeconds(60), preferredA(2));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void witnessNeverChangesTheFailbackSetting() {
    Harness z = Harness.settings("z", 20).witness().start(1);
    z.hear(Beat.witness("w").failback(false, 0));
    z.hear(Beat.witness("w").failback(false, 7));
    assertThat(z.controller.view(z.now).failback().enabled()).isTrue();
  }

  @Test
  void failbackSettingIsAdoptedFromTheHighestVersionSeenOnAnyNode() {
    Harness b = primaryB(FailbackMode.AUTO, Duration.ZERO);
    b.hear(Beat.of("c", 30).backup(2).failback(false, 3));
    assertThat(b.controller.view(b.now).failback().enabled()).isFalse();
    b.hear(Beat.of("d", 40).backup(2).failback(true, 2));
    assertThat(b.controller.view(b.now).failback().enabled()).isFalse();
    b.hear(Beat.of("a", 10).backup(2).failback(true, 3));
    assertThat(b.controller.view(b.now).failback().enabled()).isTrue();
    assertThat(b.records()).extracting(Transition::type).contains(TransitionType.FAILBACK_SETTING);
  }
}
