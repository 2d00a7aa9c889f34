package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * DESIGN 10.2: arp_ping runs during detection, not after it. A backup that would claim starts
 * probing once the primary's next heartbeat is overdue (one interval of silence), asks for the
 * verdict at failure_timeout counting only requests sent after the primary was last heard, and
 * stops probing when heartbeats resume, when it takes over, and when it would no longer claim. The
 * safety rule is unchanged: a VIP answered by another MAC is not claimed.
 */
class Section10_ProbeDuringDetectionTest {

  private static final Duration STEP = Duration.ofMillis(50);

  /** Advances in small steps until {@code type} is asked for; returns when (or null). */
  private static Instant advanceUntil(Harness a, Class<? extends Action> type, Duration limit) {
    Instant end = a.now.plus(limit);
    while (a.now.isBefore(end)) {
      if (Harness.has(a.advance(STEP), type)) {
        return a.now;
      }
    }
    return null;
  }

  private static long count(Harness a, Class<? extends Action> type) {
    return a.actions.stream().filter(type::isInstance).count();
  }

  private static Action.ProbeVips lastVerdictAsked(Harness a) {
    List<Action> asked = a.actions.stream().filter(Action.ProbeVips.class::isInstance).toList();
    return (Action.ProbeVips) asked.get(asked.size() - 1);
  }

  /** A backup that heard primary b (epoch 1) last at the returned instant, then nothing. */
  private static Instant primaryFallsSilent(Harness a) {
    a.run(Harness.TIMEOUT.plus(Harness.INTERVAL), Beat.of("b", 10).primary(1));
    a.hear(Beat.of("b", 10).primary(1));
    a.actions.clear();
    return a.now;
  }

  @Test
  void backupStartsProbingOnceThePrimarysNextHeartbeatIsOverdue() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    Instant lastHeard = primaryFallsSilent(a);
    Instant started = advanceUntil(a, Action.StartProbe.class, Harness.TIMEOUT);
    assertThat(started).as("probing starts before failure_timeout").isNotNull();
    Duration silent = Duration.between(lastHeard, started);
    assertThat(silent).isGreaterThan(Harness.INTERVAL);
    assertThat(silent).isLessThanOrEqualTo(Harness.INTERVAL.plus(STEP));
    assertThat(count(a, Action.ProbeVips.class)).as("no verdict before failure_timeout").isZero();
  }

  @Test
  void theVerdictCountsOnlyRequestsSentAfterTheLastHeartbeatFromThePrimary() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    Instant lastHeard = primaryFallsSilent(a);
    Instant asked =
        advanceUntil(a, Action.ProbeVips.class, Harness.TIMEOUT.plus(STEP.multipliedBy(2)));
    assertThat(asked).isNotNull();
    assertThat(Duration.between(lastHeard, asked)).isGreaterThan(Harness.TIMEOUT);
    assertThat(lastVerdictAsked(a).since()).isEqualTo(lastHeard);
    assertThat(count(a, Action.StartProbe.class)).isEqualTo(1);
    assertThat(a.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void probingStopsWhenThePrimaryIsHeardAgainAndNothingIsClaimed() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.StartProbe.class, Harness.TIMEOUT)).isNotNull();
    Decision d = a.hear(Beat.of("b", 10).primary(1));
    assertThat(a.kinds(d)).containsExactly(Action.StopProbe.class);
    a.run(Harness.TIMEOUT, Beat.of("b", 10).primary(1));
    assertThat(count(a, Action.StartProbe.class)).isEqualTo(1);
    assertThat(count(a, Action.ProbeVips.class)).isZero();
    assertThat(a.everClaimed()).isFalse();
  }

  @Test
  void probingStopsWithTheTakeoverThatACleanVerdictAllows() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.TIMEOUT.plus(Harness.TICK)))
        .isNotNull();
    Decision d = a.step(new Event.ProbeFinished(false, "no other MAC answers for the VIPs"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.kinds(d)).contains(Action.AddVips.class, Action.StopProbe.class);
    a.run(Harness.TIMEOUT);
    assertThat(count(a, Action.StartProbe.class)).isEqualTo(1);
  }

  @Test
  void afterAConflictTheNextVerdictCountsRequestsFromTheLastAnswerNotFromTheVerdict() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    Instant lastHeard = primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.TIMEOUT.plus(Harness.TICK)))
        .isNotNull();
    // The old primary answered 1.5 s after its last heartbeat (its LAN link outlived its sync
    // link); the verdict came later.
    Instant answered = lastHeard.plusMillis(1500);
    a.now = a.now.plusMillis(3);
    a.step(
        new Event.ProbeFinished(
            true, "192.0.2.1 on eth1 is answered by 52:54:00:aa:bb:cc", Optional.of(answered)));
    assertThat(a.role()).isEqualTo(Role.BACKUP);

    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.INTERVAL)).isNotNull();
    assertThat(lastVerdictAsked(a).since()).isEqualTo(answered);
  }

  @Test
  void anAnswerTimedAfterItsVerdictCountsFromTheVerdict() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.TIMEOUT.plus(Harness.TICK)))
        .isNotNull();
    Instant verdictAt = a.now;
    a.step(
        new Event.ProbeFinished(
            true,
            "192.0.2.1 on eth1 is answered by 52:54:00:aa:bb:cc",
            Optional.of(verdictAt.plusSeconds(5))));

    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.INTERVAL)).isNotNull();
    assertThat(lastVerdictAsked(a).since()).isEqualTo(verdictAt);
  }

  @Test
  void aVipAnsweredByAnotherMacDuringDetectionIsNotClaimedAndTheNextVerdictCountsNewerRequests() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    Instant lastHeard = primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.TIMEOUT.plus(Harness.TICK)))
        .isNotNull();
    assertThat(lastVerdictAsked(a).since()).isEqualTo(lastHeard);
    a.now = a.now.plusMillis(3);
    Instant conflictAt = a.now;
    a.step(new Event.ProbeFinished(true, "192.0.2.1 on eth1 is answered by 52:54:00:aa:bb:cc"));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    assertThat(a.everClaimed()).isFalse();
    assertThat(a.controller.view(a.now).alarms())
        .extracting(ControllerView.Alarm::name)
        .containsExactly(FailoverController.SPLIT_BRAIN_RISK);
    // Still probing (no StopProbe): the next verdict must not count the answer seen already, or a
    // primary that answered once between its last heartbeat and its death would block for good.
    assertThat(count(a, Action.StopProbe.class)).isZero();
    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.INTERVAL)).isNotNull();
    assertThat(lastVerdictAsked(a).since()).isEqualTo(conflictAt);
    a.step(new Event.ProbeFinished(false, "no other MAC answers for the VIPs"));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aBackupThatWouldNotClaimDoesNotProbe() {
    // c is better than a: when primary b falls silent, c claims, so only c probes.
    Harness a = Harness.settings("a", 30).peers(2).probe().start(0);
    Beat b = Beat.of("b", 10).primary(1);
    Beat c = Beat.of("c", 20).backup(1);
    a.run(Harness.TIMEOUT.plus(Harness.INTERVAL), b, c);
    a.actions.clear();
    a.run(Harness.TIMEOUT.multipliedBy(2), c);
    assertThat(count(a, Action.StartProbe.class)).isZero();
    assertThat(count(a, Action.ProbeVips.class)).isZero();
    assertThat(a.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void aNodeWithoutArpPingNeverProbesAndTakesOverAtFailureTimeout() {
    Harness a = Harness.settings("a", 20).start(0);
    primaryFallsSilent(a);
    a.run(Harness.TIMEOUT.plus(Harness.INTERVAL));
    assertThat(count(a, Action.StartProbe.class)).isZero();
    assertThat(count(a, Action.ProbeVips.class)).isZero();
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void probingStopsWhenTheBackupBecomesUnhealthy() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.StartProbe.class, Harness.TIMEOUT)).isNotNull();
    Decision d = a.step(new Event.HealthChanged(false, "link eth1 down"));
    assertThat(a.role()).isEqualTo(Role.FAULT);
    assertThat(a.kinds(d)).contains(Action.StopProbe.class);
  }

  @Test
  void aStartThatFailedIsRecordedOnceAndTheVerdictIsStillAskedFor() {
    Harness a = Harness.settings("a", 20).probe().start(0);
    primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.StartProbe.class, Harness.TIMEOUT)).isNotNull();
    a.step(
        new Event.ActionFailed(
            new Action.StartProbe(), "cannot probe on eth1: the interface does not exist"));
    assertThat(a.records())
        .extracting(Transition::type)
        .containsExactly(TransitionType.ACTION_FAILED);
    assertThat(advanceUntil(a, Action.ProbeVips.class, Harness.TIMEOUT)).isNotNull();
    assertThat(count(a, Action.StartProbe.class)).isEqualTo(1);
    assertThat(a.everClaimed()).isFalse();
  }

  @Test
  void aBackupInStandbyDoesNotProbeAndStopsProbingWhenPutInStandby() {
    Harness standby = Harness.settings("a", 20).probe().persistedStandby().start(0);
    primaryFallsSilent(standby);
    assertThat(advanceUntil(standby, Action.StartProbe.class, Harness.TIMEOUT.multipliedBy(3)))
        .as("a standby node never claims, so it never probes")
        .isNull();

    Harness a = Harness.settings("a", 20).probe().start(0);
    primaryFallsSilent(a);
    assertThat(advanceUntil(a, Action.StartProbe.class, Harness.TIMEOUT)).isNotNull();
    assertThat(Harness.has(a.command(new Command.Standby(true)), Action.StopProbe.class)).isTrue();
  }
}
