package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Issue #11: the node ticks at the controller's next deadline, not only on a period, so a silent
 * primary is found dead exactly at failure_timeout and the arp_ping probe starts exactly when its
 * next heartbeat is overdue. Here the controller is ticked at nothing but its own deadlines.
 */
class Section10_TickAtDeadlineTest {

  /** Ticks at each deadline the controller names until {@code done}; returns the instant. */
  private static Instant tickAtDeadlinesUntil(
      Harness a, java.util.function.Predicate<Decision> done) {
    for (int i = 0; i < 100; i++) {
      Instant next = a.controller.nextDeadline(a.now).orElseThrow();
      assertThat(next).isAfter(a.now);
      a.now = next;
      if (done.test(a.tick())) {
        return a.now;
      }
    }
    throw new AssertionError("not done after 100 deadlines");
  }

  private static Instant heardPrimaryLast(Harness a) {
    a.run(Harness.TIMEOUT.plus(Harness.INTERVAL), Beat.of("b", 10).primary(1));
    a.hear(Beat.of("b", 10).primary(1));
    a.actions.clear();
    return a.now;
  }

  @Test
  void aBackupTickedOnlyAtItsDeadlinesTakesOverExactlyAtFailureTimeout() {
    Harness a = Harness.settings("a", 20).start(1);
    Instant lastHeard = heardPrimaryLast(a);
    assertThat(a.role()).isEqualTo(Role.BACKUP);

    Instant tookOver = tickAtDeadlinesUntil(a, d -> Harness.has(d, Action.AddVips.class));

    assertThat(Duration.between(lastHeard, tookOver)).isEqualTo(Harness.TIMEOUT.plusNanos(1));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aBackupStillHearingThePrimaryOneNanosecondBeforeFailureTimeoutDoesNotTakeOver() {
    Harness a = Harness.settings("a", 20).start(1);
    Instant lastHeard = heardPrimaryLast(a);
    a.now = lastHeard.plus(Harness.TIMEOUT);
    a.tick();
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.controller.nextDeadline(a.now)).contains(a.now.plusNanos(1));
  }

  @Test
  void theProbeStartsExactlyWhenThePrimarysNextHeartbeatIsOverdue() {
    Harness a = Harness.settings("a", 20).probe().start(1);
    Instant lastHeard = heardPrimaryLast(a);

    Instant started = tickAtDeadlinesUntil(a, d -> Harness.has(d, Action.StartProbe.class));

    assertThat(Duration.between(lastHeard, started)).isEqualTo(Harness.INTERVAL.plusNanos(1));
  }

  @Test
  void theStartupHoldEndsAtItsDeadline() {
    Harness a = Harness.settings("a", 10).startupHold(Duration.ofSeconds(2)).start(0);
    Instant running = a.now;

    Instant ended = tickAtDeadlinesUntil(a, d -> a.role() != Role.INIT);

    assertThat(Duration.between(running, ended)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aNodeThatDoesNotTickYetHasNoDeadline() {
    Harness a = Harness.settings("a", 10).startNotRunning(0);
    a.hear(Beat.of("b", 20).primary(1));
    assertThat(a.controller.nextDeadline(a.now)).isEmpty();
  }

  @Test
  void everyDeadlineIsAfterTheInstantAsked() {
    Harness a = Harness.settings("a", 20).start(1);
    Instant lastHeard = heardPrimaryLast(a);
    a.now = lastHeard.plus(Harness.TIMEOUT).plusSeconds(60);
    a.tick();
    a.controller.nextDeadline(a.now).ifPresent(next -> assertThat(next).isAfter(a.now));
  }
}
