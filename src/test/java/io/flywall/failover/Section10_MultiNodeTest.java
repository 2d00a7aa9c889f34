package io.flywall.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.failover.Harness.Beat;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * DESIGN section 10.1: cold starts elect the preferred node whatever the order of starts, the
 * startup hold, a node resumed from a pause, and the probe bookkeeping the node used to do itself.
 */
class Section10_MultiNodeTest {

  /** Three voters (majority 2); this node has priority 100, peers a (50) and c (150). */
  private static Harness.Settings middle() {
    return Harness.settings("b", 100).peers(2).quorum(QuorumMode.MAJORITY);
  }

  @Test
  void aNodeThatSatAloneWithoutQuorumIsStillPreferredByTheNodesThatJustJoined() {
    // a ran alone for a while: no quorum, so its heartbeats say so. b starts, hears a and c long
    // before its own heartbeats go out (its process is still starting), then starts running.
    Harness b = middle().startNotRunning(0);
    Beat aloneA = Beat.of("a", 50).backup(0).quorum(false).inSync(false);
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    for (int i = 0; i < 8; i++) {
      b.hear(aloneA);
      b.hear(c);
      b.now = b.now.plus(Harness.INTERVAL);
    }
    assertThat(b.role()).isEqualTo(Role.BACKUP);
    // Running now; a has not heard b yet, so its "no quorum" is stale.
    b.tick();
    b.run(Harness.INTERVAL, aloneA, c);
    assertThat(b.everClaimed()).isFalse();
    // a hears b and says it has quorum: a is the preferred node, b never claims.
    b.run(Duration.ofSeconds(30), Beat.of("a", 50).backup(0).inSync(false), c);
    assertThat(b.everClaimed()).isFalse();
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void aNodeBackFromAShortPauseWaitsAgainForAPeerWhoseNoQuorumPredatesHearingIt() {
    // The simulation's seed -6575446216680585522: b runs and hears a (preferred) say "no quorum";
    // b pauses for 1.5 intervals (too short to mark its view stale) and sends nothing meanwhile;
    // back, it still hears a's "no quorum", sent before a could hear b. That is as stale as a's
    // "no quorum" at b's start: a gets a failure_timeout from b's return to hear b.
    Harness b = middle().startOutOfSync(0);
    Beat aloneA = Beat.of("a", 50).backup(0).quorum(false).inSync(false);
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    b.run(Harness.INTERVAL.dividedBy(2), aloneA, c);
    b.now = b.now.plus(Harness.INTERVAL.multipliedBy(3).dividedBy(2));
    b.run(Harness.TIMEOUT.minus(Harness.TICK), aloneA, c);
    assertThat(b.everClaimed())
        .as("a failure_timeout from its start has passed, but not from its return")
        .isFalse();
    // a hears b and says it has quorum: a is the preferred node, b never claims.
    b.run(Duration.ofSeconds(30), Beat.of("a", 50).backup(0).inSync(false), c);
    assertThat(b.everClaimed()).isFalse();
    assertThat(b.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void aPeerThatStaysWithoutQuorumStopsHoldingUpTheElectionAfterAFailureTimeout() {
    // a never hears b (one-way cut): its "no quorum" is real; b must not wait forever for it.
    Harness b = middle().start(0);
    Beat cutOffA = Beat.of("a", 50).backup(0).quorum(false).inSync(false);
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    b.run(Harness.TIMEOUT.minus(Harness.TICK), cutOffA, c);
    assertThat(b.everClaimed()).isFalse();
    b.run(Harness.TIMEOUT, cutOffA, c);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aBetterNodeStillStartingIsWaitedForAndElectsItselfOnceItsMonitorsAreJudged() {
    // The CI run's failure: started together, a (the preferred node) was the last to send its
    // first heartbeat, which cannot say it is healthy yet; b, having heard everyone, took over.
    Harness b = middle().startupHold(Duration.ofSeconds(90)).startOutOfSync(0);
    Beat startingA = Beat.of("a", 50).starting();
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    b.hear(c);
    b.hear(startingA);
    assertThat(b.role()).as("hold over: heard every peer").isEqualTo(Role.BACKUP);
    b.run(Duration.ofSeconds(10), startingA, c);
    assertThat(b.everClaimed()).isFalse();
    // a's monitors were judged healthy: it is the preferred node, b never claims.
    b.run(Duration.ofSeconds(10), Beat.of("a", 50).backup(0).inSync(false), c);
    assertThat(b.everClaimed()).isFalse();
  }

  @Test
  void aStartingNodeIsWaitedForAtMostTheStartupHold() {
    Harness b = middle().startupHold(Duration.ofSeconds(5)).startOutOfSync(0);
    Beat stuckA = Beat.of("a", 50).starting();
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    b.run(Duration.ofSeconds(5).minus(Harness.TICK), stuckA, c);
    assertThat(b.everClaimed()).isFalse();
    b.run(Duration.ofSeconds(1), stuckA, c);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aStartingNodeWhoseMonitorsFailIsPassedOverAtOnce() {
    Harness b = middle().startupHold(Duration.ofSeconds(10)).startOutOfSync(0);
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    // Past the failure_timeout after which b's view of the quorum has settled: only a holds it.
    b.run(Harness.TIMEOUT.plusSeconds(1), Beat.of("a", 50).starting(), c);
    assertThat(b.everClaimed()).isFalse();
    // Judged unhealthy while still in its hold: no longer a candidate.
    b.hear(Beat.of("a", 50).starting().healthy(false).pending(false));
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aPeerThatRestartedWithoutAGapHasAFailureTimeoutFromItsNewLifeToHearUs() {
    // a restarted quicker than a failure_timeout (or its old heartbeats were read late, after a
    // pause): it never looked dead, but its new life has not heard b yet and says "no quorum".
    Harness b = middle().startOutOfSync(0);
    Beat c = Beat.of("c", 150).backup(0).inSync(false);
    b.run(Duration.ofSeconds(2), Beat.of("a", 50).backup(0).inSync(false).boot(1), c);
    assertThat(b.everClaimed()).isFalse();
    Beat restartedA = Beat.of("a", 50).role(Role.INIT).inSync(false).quorum(false).boot(2);
    b.run(Harness.TIMEOUT.minus(Harness.TICK), restartedA, c);
    assertThat(b.everClaimed()).isFalse();
    // Still no quorum a failure_timeout into its new life: a cannot hear b; b stops waiting.
    b.run(Harness.INTERVAL, restartedA, c);
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void aNodeClaimsNothingBeforeItStartsSendingHeartbeats() {
    Harness b = Harness.settings("b", 10).quorum(QuorumMode.NONE).startNotRunning(0);
    // Six seconds of hearing a while the rest of the process starts.
    for (int i = 0; i < 6; i++) {
      b.hear(Beat.of("a", 50).backup(0).inSync(false));
      b.now = b.now.plus(Harness.INTERVAL);
    }
    assertThat(b.everClaimed()).isFalse();
    b.tick();
    assertThat(b.role()).isEqualTo(Role.PRIMARY);
  }

  @Test
  void theStartupHoldLastsStartupHoldNotOneFailureTimeout() {
    Harness a = Harness.settings("a", 10).peers(2).startupHold(Duration.ofSeconds(5)).start(0);
    a.run(Duration.ofMillis(4750));
    assertThat(a.role()).isEqualTo(Role.INIT);
    a.advance(Harness.TICK);
    assertThat(a.role()).isNotEqualTo(Role.INIT);
    assertThat(a.records().get(0).cause()).contains("startup_hold (5000 ms)");
  }

  @Test
  void aBackupResumedFromAPauseListensBeforeItClaims() {
    Harness a = Harness.settings("a", 10).quorum(QuorumMode.NONE).start(3);
    a.run(Harness.INTERVAL, Beat.of("b", 20).primary(4));
    assertThat(a.role()).isEqualTo(Role.BACKUP);
    // Frozen for 10 s: every heartbeat it remembers is stale, b looks dead.
    a.now = a.now.plus(Duration.ofSeconds(10));
    Decision d = a.tick();
    assertThat(a.records().get(a.records().size() - 1).type()).isEqualTo(TransitionType.PAUSED);
    assertThat(Harness.has(d, Action.PersistEpoch.class)).isFalse();
    a.advance(Harness.TICK);
    a.hear(Beat.of("b", 20).primary(4));
    a.run(Harness.INTERVAL.multipliedBy(3), Beat.of("b", 20).primary(4));
    assertThat(a.everClaimed()).isFalse();
    assertThat(a.role()).isEqualTo(Role.BACKUP);
  }

  @Test
  void anOperatorCannotPromoteANodeThatIsNotYetSendingHeartbeats() {
    Harness b = Harness.settings("b", 10).quorum(QuorumMode.NONE).startNotRunning(0);
    CommandReply reply = b.command(new Command.Promote(true)).reply().orElseThrow();
    assertThat(reply.accepted()).isFalse();
    assertThat(reply.message()).contains("not started sending heartbeats yet");
    b.tick();
    assertThat(b.command(new Command.Promote(true)).reply().orElseThrow().accepted()).isTrue();
  }

  @Test
  void aNodeFrozenBeforeItsFirstTickListensBeforeItClaims() {
    Harness b = Harness.settings("b", 10).quorum(QuorumMode.NONE).startNotRunning(0);
    b.hear(Beat.of("a", 50).primary(3));
    assertThat(b.role()).as("heard every peer: hold over").isEqualTo(Role.BACKUP);
    // Frozen before it ran at all; a's last heartbeat is long stale when it first ticks.
    b.now = b.now.plus(Duration.ofSeconds(10));
    b.tick();
    assertThat(b.everClaimed()).isFalse();
    b.run(Harness.INTERVAL.multipliedBy(3), Beat.of("a", 50).primary(3));
    assertThat(b.everClaimed()).isFalse();
  }

  @Test
  void aPrimaryResumedFromAPauseAnnouncesNoVipUntilItHasListened() {
    Harness a = Harness.settings("a", 10).quorum(QuorumMode.NONE).start(3);
    a.run(Harness.TIMEOUT.plus(Harness.TICK));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    assertThat(a.controller.announcing(a.now)).isTrue();
    a.now = a.now.plus(Duration.ofSeconds(10));
    a.tick();
    assertThat(a.controller.announcing(a.now)).isFalse();
    a.run(Harness.INTERVAL.multipliedBy(2).minus(Harness.TICK));
    assertThat(a.controller.announcing(a.now)).isFalse();
    a.advance(Harness.TICK);
    assertThat(a.controller.announcing(a.now)).isTrue();
  }

  @Test
  void aProbeAnswerThatArrivesAfterTheRoleChangedDecidesNothing() {
    Harness a = Harness.settings("a", 10).probe().start(0);
    a.hear(Beat.of("b", 20).backup(0));
    a.command(new Command.Promote(false));
    assertThat(a.role()).isEqualTo(Role.PRIMARY);
    Decision d = a.step(new Event.ProbeFinished(true, "192.0.2.1 answered by 52:54:00:aa:bb:cc"));
    assertThat(d.actions()).isEmpty();
    assertThat(a.controller.view(a.now).alarms()).isEmpty();
  }

  @Test
  void eachTakeoverAndReleaseIsPlannedForAGenerationOfItsOwnEvenWithinOneStep() {
    // Promoted while automatic failback to a better, fit peer is due: the takeover and the
    // failback release come out of the same step, and only the release is current.
    Harness b =
        Harness.settings("b", 20)
            .failback(FailbackMode.AUTO, Duration.ZERO, Duration.ZERO)
            .quorum(QuorumMode.NONE)
            .start(1);
    b.run(Harness.INTERVAL, Beat.of("a", 10).backup(1));
    Decision d = b.command(new Command.Promote(false));
    int add = b.kinds(d).indexOf(Action.AddVips.class);
    int remove = b.kinds(d).indexOf(Action.RemoveVips.class);
    assertThat(add).isNotNegative();
    assertThat(remove).isGreaterThan(add);
    assertThat(d.generations().get(remove)).isEqualTo(d.generations().get(add) + 1);
    StepQueue queue = new StepQueue();
    queue.submit(d);
    java.util.List<String> ran = new java.util.ArrayList<>();
    for (var next = queue.next(); next.isPresent(); next = queue.next()) {
      if (next.get() instanceof StepQueue.Next.Run run) {
        ran.add(run.step().action().getClass().getSimpleName());
        queue.done();
      }
    }
    assertThat(ran).doesNotContain("AddVips").contains("RemoveVips", "Record");
  }
}
