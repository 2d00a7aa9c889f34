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
  void aStartingPeerStopsHoldingUpTheElectionAtTheEndOfTheStartupHold() {
    Harness b =
        Harness.settings("b", 100)
            .peers(2)
            .quorum(QuorumMode.MAJORITY)
            .startupHold(Duration.ofSeconds(5))
            .startOutOfSync(0);
    // Heard first a second after b started running: the wait is counted from a's first heartbeat.
    b.run(Duration.ofSeconds(1));
    Instant firstHeard = b.now;
    Beat startingA = Beat.of("a", 50).starting();
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    b.run(Duration.ofMillis(4500), startingA, c);
    assertThat(b.everClaimed()).isFalse();

    Instant claimed = tickAtDeadlinesUntil(b, d -> Harness.has(d, Action.AddVips.class));

    assertThat(Duration.between(firstHeard, claimed)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aFailbackFallsDueExactlyAtFailbackDelay() {
    Duration delay = Duration.ofSeconds(2);
    Harness b =
        Harness.settings("b", 20).failback(FailbackMode.AUTO, delay, Duration.ZERO).start(1);
    b.run(Harness.TIMEOUT);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.hear(Beat.of("a", 10).backup(2));
    Instant fit = b.now;

    Instant handedBack = tickAtDeadlinesUntil(b, d -> b.role() != Role.PRIMARY);

    assertThat(Duration.between(fit, handedBack)).isEqualTo(delay);
  }

  @Test
  void aHandoverNobodyTakesIsAbandonedExactlyAtFailureTimeout() {
    Harness b = Harness.settings("b", 20).start(1);
    b.run(Harness.TIMEOUT);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
    b.hear(Beat.of("a", 30).backup(2));
    b.now = b.now.plusMillis(500);
    b.command(new Command.Failover(java.util.Optional.of("a")));
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    Instant handedOver = b.now;

    // a never takes over (and falls silent): the handover is given up at failure_timeout.
    Instant abandoned =
        tickAtDeadlinesUntil(
            b,
            d -> b.records().stream().anyMatch(t -> t.type() == TransitionType.HANDOVER_ABANDONED));

    assertThat(Duration.between(handedOver, abandoned)).isEqualTo(Harness.TIMEOUT);
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
