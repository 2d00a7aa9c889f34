package io.flywall.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each checker on hand-made histories: silent on a good one, loud on one that breaks its rule. */
class CheckersTest {
  private static List<Violation> check(Check check, HistoryFixture fixture) {
    return check.check(fixture.build(), HistoryFixture.BOUNDS);
  }

  // (1) VIP holders

  @Test
  void twoAnsweringVipHoldersBeyondTheFencingBoundAreAViolation() {
    HistoryFixture f = HistoryFixture.healthy().vip(10_000, 2, true).vip(12_000, 1, false);
    assertThat(check(new VipHolderCheck(), f))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("[1, 2]").contains("2000 ms"));
  }

  @Test
  void twoHoldersForLessThanTheFencingBoundPass() {
    HistoryFixture f = HistoryFixture.healthy().vip(10_000, 2, true).vip(11_000, 1, false);
    assertThat(check(new VipHolderCheck(), f)).isEmpty();
  }

  @Test
  void aFrozenHolderCountsOnlyFromItsThaw() {
    HistoryFixture frozenLong =
        HistoryFixture.healthy()
            .daemon(5_000, 1, History.DaemonState.FROZEN)
            .vip(6_000, 2, true)
            .daemon(20_000, 1, History.DaemonState.THAWED)
            .vip(20_500, 1, false);
    assertThat(check(new VipHolderCheck(), frozenLong)).isEmpty();

    HistoryFixture keepsItAfterThaw =
        HistoryFixture.healthy()
            .daemon(5_000, 1, History.DaemonState.FROZEN)
            .vip(6_000, 2, true)
            .daemon(20_000, 1, History.DaemonState.THAWED)
            .vip(25_000, 1, false);
    assertThat(check(new VipHolderCheck(), keepsItAfterThaw)).hasSize(1);
  }

  @Test
  void twoHoldersAtTheEndOfTheRunAreJudgedToo() {
    HistoryFixture f = HistoryFixture.healthy().vip(90_000, 2, true);
    assertThat(check(new VipHolderCheck(), f)).hasSize(1);
  }

  // (2) election

  @Test
  void theClusterConvergingOnThePreferredNodeWithinTheBoundPasses() {
    HistoryFixture f =
        HistoryFixture.healthy()
            .fault(1, FaultKind.POWER_OFF, 1, 10_000, 20_000)
            .vip(10_000, 1, false)
            .vip(11_000, 2, true)
            .vip(30_000, 2, false)
            .vip(30_100, 1, true)
            .roundsWithPrimary(1, 0, 10_000)
            .roundsWithPrimary(2, 10_000, 30_500)
            .roundsWithPrimary(1, 30_500, 100_000);
    assertThat(check(new ElectionCheck(), f)).isEmpty();
  }

  /**
   * n1 powered off at 5 s, started again at 10 s, first answering at {@code readyMs}; back at 60.5
   * s.
   */
  private static HistoryFixture n1RestartedAnsweringAt(long readyMs) {
    return HistoryFixture.healthy()
        .fault(1, FaultKind.POWER_OFF, 1, 5_000, 10_000)
        .daemon(5_000, 1, History.DaemonState.KILLED)
        .daemon(10_000, 1, History.DaemonState.STARTED)
        .daemon(readyMs, 1, History.DaemonState.READY)
        .vip(5_000, 1, false)
        .vip(6_000, 2, true)
        .vip(60_000, 2, false)
        .vip(60_100, 1, true)
        .roundsWithPrimary(1, 0, 5_000)
        .roundsWithPrimary(2, 5_000, 60_500)
        .roundsWithPrimary(1, 60_500, 100_000);
  }

  @Test
  void theBoundCountsFromTheFirstAnswerOfADaemonRestartedByTheGroup() {
    assertThat(check(new ElectionCheck(), n1RestartedAnsweringAt(50_000))).isEmpty();
    HistoryFixture answeredEarly = n1RestartedAnsweringAt(12_000);
    assertThat(check(new ElectionCheck(), answeredEarly)).hasSize(1);
    assertThat(Report.startTimes(answeredEarly.build())).containsExactly(2_000L);
  }

  @Test
  void noPrimaryWithinTheConvergenceBoundAfterAHealIsAViolation() {
    HistoryFixture f =
        HistoryFixture.healthy()
            .fault(1, FaultKind.POWER_OFF, 1, 10_000, 20_000)
            .vip(10_000, 1, false)
            .roundsWithPrimary(1, 0, 10_000)
            .roundsWithPrimary(0, 10_000, 100_000);
    assertThat(check(new ElectionCheck(), f))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("no single primary n1"));
  }

  @Test
  void anotherNodeThanThePreferredOneStayingPrimaryIsAViolation() {
    HistoryFixture f =
        HistoryFixture.healthy()
            .fault(1, FaultKind.POWER_OFF, 1, 10_000, 20_000)
            .vip(10_000, 1, false)
            .vip(11_000, 2, true)
            .roundsWithPrimary(1, 0, 10_000)
            .roundsWithPrimary(2, 10_000, 100_000);
    assertThat(check(new ElectionCheck(), f)).hasSize(1);
  }

  @Test
  void theRoleMovingAfterConvergenceWithNoFaultRunningIsAViolation() {
    HistoryFixture f =
        HistoryFixture.healthy()
            .fault(1, FaultKind.RESYNC, 2, 10_000, 10_000)
            .roundsWithPrimary(1, 0, 50_000)
            .roundsWithPrimary(3, 50_000, 100_000);
    assertThat(check(new ElectionCheck(), f))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("primaries [3]"));
  }

  // (3) writes

  @Test
  void anAcknowledgedSyncWriteMissingOnANodeIsAViolation() {
    HistoryFixture f = HistoryFixture.healthy();
    f.writes.add(new History.Write(1_000, 1_010, 1, "w-0", true));
    f.writes.add(new History.Write(1_200, 1_210, 1, "w-1", true));
    f.finalNode(1, Set.of("w-0", "w-1"), "c").finalNode(2, Set.of("w-0"), "c");
    assertThat(check(new WriteCheck(), f))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("n2 lacks 1 of 2").contains("w-1"));
  }

  @Test
  void aWriteThatDegradedToAsyncOrFailedNeedNotSurvive() {
    HistoryFixture f = HistoryFixture.healthy();
    f.writes.add(new History.Write(1_000, 1_010, 1, "w-0", false));
    f.writes.add(new History.Write(1_200, -1, 1, "w-1", false));
    f.finalNode(1, Set.of(), "c").finalNode(2, Set.of(), "c");
    assertThat(check(new WriteCheck(), f)).isEmpty();
  }

  @Test
  void differentChecksumsAfterTheFinalHealAreAViolation() {
    HistoryFixture f =
        HistoryFixture.healthy().finalNode(1, Set.of(), "a").finalNode(2, Set.of(), "b");
    assertThat(check(new WriteCheck(), f))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("checksums differ"));
  }

  @Test
  void aNodeThatDoesNotAnswerAtTheEndIsAViolation() {
    HistoryFixture f = HistoryFixture.healthy().finalNode(1, Set.of(), "a");
    f.finals.add(new History.FinalNode(2, Optional.empty(), Optional.empty()));
    assertThat(check(new WriteCheck(), f)).hasSize(1);
  }

  // (4) outage

  /** n1 primary and VIP holder all along: the outage windows end at the first round after heal. */
  private static HistoryFixture converged() {
    return HistoryFixture.healthy().roundsWithPrimary(1, 0, 100_000);
  }

  @Test
  void anUnplannedOutageOverItsBudgetIsAViolationAndWithinItPasses() {
    HistoryFixture over =
        converged()
            .fault(1, FaultKind.FREEZE, 1, 10_000, 15_000)
            .replies(0, 0, 10_000)
            .replies(600, 12_000, 100_000);
    assertThat(check(new OutageCheck(), over))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("client outage 2020 ms"));

    HistoryFixture within =
        converged()
            .fault(1, FaultKind.FREEZE, 1, 10_000, 15_000)
            .replies(0, 0, 10_000)
            .replies(550, 11_000, 100_000);
    assertThat(check(new OutageCheck(), within)).isEmpty();
  }

  @Test
  void aPlannedFailoverThatLosesOneProbeIsAViolation() {
    HistoryFixture f =
        converged()
            .fault(1, FaultKind.PLANNED_FAILOVER, 2, 10_000, 15_000)
            .replies(0, 0, 10_020)
            .replies(502, 10_040, 100_000);
    assertThat(check(new OutageCheck(), f))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("1 probes lost"));
  }

  @Test
  void overlappingFaultsAreNotHeldToOneFaultsBudget() {
    HistoryFixture f =
        converged()
            .fault(1, FaultKind.FREEZE, 1, 10_000, 15_000)
            .replies(0, 0, 10_000)
            .replies(600, 14_000, 100_000);
    f.faults.add(new History.FaultRecord(2, 1, FaultKind.POWER_OFF, 2, "", 11_000, 16_000));
    assertThat(check(new OutageCheck(), f)).isEmpty();
  }

  // (5) crashes, (6) resources

  @Test
  void aDaemonExitingUnaskedOrLoggingAnUncaughtExceptionIsAViolation() {
    HistoryFixture f = HistoryFixture.healthy().daemon(5_000, 1, History.DaemonState.KILLED);
    assertThat(check(new CrashCheck(), f)).isEmpty();
    f.daemons.add(new History.DaemonEvent(6_000, 2, History.DaemonState.EXITED, "exit code 1"));
    f.findings.add(new History.LogFinding(3, "Exception in thread \"x\" java.lang.Error"));
    assertThat(check(new CrashCheck(), f)).hasSize(2);
  }

  @Test
  void threadsOrMemoryOverTheirBoundAreAViolationOncePerNode() {
    HistoryFixture f = HistoryFixture.healthy();
    f.resources.add(new History.ResourceSample(1_000, 1, 60, 200_000));
    assertThat(check(new ResourceCheck(), f)).isEmpty();
    f.resources.add(new History.ResourceSample(2_000, 1, 500, 200_000));
    f.resources.add(new History.ResourceSample(3_000, 1, 501, 200_000));
    f.resources.add(new History.ResourceSample(3_000, 2, 60, 900_000));
    assertThat(check(new ResourceCheck(), f)).hasSize(2);
  }

  @Test
  void theTimelineAndSummaryNameFaultsRolesVipsAndViolations() {
    HistoryFixture f =
        HistoryFixture.healthy()
            .fault(1, FaultKind.POWER_OFF, 1, 10_000, 20_000)
            .roundsWithPrimary(1, 0, 1_000);
    History h = f.build();
    String timeline = Report.timeline(h);
    assertThat(timeline)
        .contains("FAULT #1 group 1 power_off n1")
        .contains("HEAL  #1 power_off n1")
        .contains("ROLE   n1 primary epoch 1 in_sync")
        .contains("VIP    n1 added -> holders [1]");
    String summary =
        Report.summary(
            h,
            HistoryFixture.BOUNDS,
            List.of(new Violation("writes", 1, "lost")),
            "scripts/chaos --seed 7");
    assertThat(summary)
        .contains("power_off")
        .contains("writes       1")
        .contains("replay: scripts/chaos --seed 7");
  }
}
