package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.failover.Action;
import io.flywall.failover.Decision;
import io.flywall.failover.Event;
import io.flywall.failover.Role;
import io.flywall.failover.ScriptPhase;
import io.flywall.failover.Transition;
import io.flywall.failover.TransitionType;
import io.flywall.network.VipGroup;
import io.flywall.state.History;
import io.flywall.state.HistoryEvent;
import io.flywall.state.NodeMeta;
import io.flywall.state.StateDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionRunnerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final ExecutorService effects = Executors.newSingleThreadExecutor();
  private final List<Event> feedback = new CopyOnWriteArrayList<>();
  // What happened to the VIPs and scripts, in order.
  private final List<String> effectsSeen = new CopyOnWriteArrayList<>();
  private final CountDownLatch probing = new CountDownLatch(1);
  private final CountDownLatch answer = new CountDownLatch(1);
  private final CountDownLatch scriptRunning = new CountDownLatch(1);
  private StateDatabase db;
  private ActionRunner runner;
  // What the controller does when a failure is reported and the runner waits for it.
  private Consumer<Event> controllerReaction = event -> {};
  // What the probe throws, when the test wants it to fail.
  private volatile Exception probeError;

  @AfterEach
  void stop() {
    effects.shutdownNow();
    if (db != null) {
      db.close();
    }
  }

  /** VIPs whose probe takes as long as the test says, like arping's one-second deadline. */
  private final VipGroup vips =
      new VipGroup() {
        @Override
        public void claim() {
          effectsSeen.add("add_vips");
        }

        @Override
        public void release() {
          effectsSeen.add("remove_vips");
        }

        @Override
        public Optional<VipGroup.Conflict> probeConflict(Instant since) throws Exception {
          if (probeError != null) {
            throw probeError;
          }
          probing.countDown();
          answer.await(10, TimeUnit.SECONDS);
          return Optional.empty();
        }

        @Override
        public void tick(boolean primary) {}

        @Override
        public void reannounce() {
          effectsSeen.add("reannounce");
        }

        @Override
        public void startProbe() {
          effectsSeen.add("start_probe");
        }

        @Override
        public void stopProbe() {
          effectsSeen.add("stop_probe");
        }

        @Override
        public void closeProbe() {
          effectsSeen.add("close_probe");
        }

        @Override
        public List<VipState> state() {
          return List.of();
        }
      };

  /** Scripts named "slow" run until they are stopped, as a real script would until its timeout. */
  private final FailoverScripts scripts =
      script -> {
        String name = script.phase().name().toLowerCase() + " " + script.cause();
        effectsSeen.add(name);
        if (!script.cause().equals("slow")) {
          return new FailoverScripts.Outcome(true, true, "exit 0");
        }
        scriptRunning.countDown();
        try {
          Thread.sleep(60_000);
          return new FailoverScripts.Outcome(true, true, "exit 0");
        } catch (InterruptedException e) {
          effectsSeen.add(name + " stopped");
          return new FailoverScripts.Outcome(true, false, "killed");
        }
      };

  private ActionRunner runner() throws Exception {
    db = StateDatabase.open(dir);
    runner =
        new ActionRunner(
            "n1",
            effects,
            Clock.systemUTC(),
            new NodeMeta(db),
            new History(db),
            vips,
            scripts,
            new HaMetrics(),
            new MonitorFeed(),
            new ActionRunner.Feedback() {
              @Override
              public void report(Event event) {
                feedback.add(event);
              }

              @Override
              public void reportAndWait(Event event) {
                feedback.add(event);
                controllerReaction.accept(event);
              }
            },
            () -> {},
            null,
            ConnectionSync.disabled());
    return runner;
  }

  private static Decision plan(long generation, Action... actions) {
    return new Decision(List.of(actions), Optional.empty(), generation);
  }

  private static Action record(TransitionType type, Role from, Role to, long epoch) {
    return new Action.Record(new Transition(type, from, to, epoch, "test", Instant.now()));
  }

  private static Decision takeover(long generation, long epoch, String pre, String post) {
    return plan(
        generation,
        new Action.PersistEpoch(epoch),
        new Action.RunScript(
            ScriptPhase.PRE, TransitionType.TAKEOVER, Role.BACKUP, Role.PRIMARY, epoch, pre),
        new Action.AddVips(),
        new Action.Announce(Optional.empty()),
        new Action.RunScript(
            ScriptPhase.POST, TransitionType.TAKEOVER, Role.BACKUP, Role.PRIMARY, epoch, post),
        record(TransitionType.TAKEOVER, Role.BACKUP, Role.PRIMARY, epoch));
  }

  private static Decision demotion(long generation, long epoch) {
    return plan(
        generation,
        new Action.RemoveVips(),
        new Action.Announce(Optional.empty()),
        record(TransitionType.DEMOTE, Role.PRIMARY, Role.BACKUP, epoch));
  }

  private List<HistoryEvent> history(int n) throws Exception {
    await().atMost(WAIT).until(() -> new History(db).newest(n).size() == n);
    List<HistoryEvent> oldestFirst = new ArrayList<>(new History(db).newest(n));
    java.util.Collections.reverse(oldestFirst);
    return oldestFirst;
  }

  @Test
  void onceAProbeHasAnsweredTheNextRequestProbesAgain() throws Exception {
    ActionRunner runner = runner();
    answer.countDown();
    runner.submit(plan(0, new Action.ProbeVips(Instant.EPOCH)));
    await().atMost(WAIT).until(() -> feedback.size() == 1);
    runner.submit(plan(0, new Action.ProbeVips(Instant.EPOCH)));
    await().atMost(WAIT).until(() -> feedback.size() == 2);
    assertThat(feedback)
        .allMatch(
            e -> e.equals(new Event.ProbeFinished(false, "no other MAC answers for the VIPs")));
  }

  @Test
  void aTakeoverIsRecordedWithEveryStepTimedInOrder() throws Exception {
    runner().submit(takeover(1, 4, "fast", "fast"));
    HistoryEvent event = history(1).get(0);
    assertThat(event.steps())
        .extracting(HistoryEvent.Step::name)
        .containsExactly(
            "persist_epoch", "pre_failover_script", "add_vips", "post_failover_script");
    assertThat(event.steps()).noneMatch(HistoryEvent.Step::skipped);
    assertThat(new NodeMeta(db).epoch()).isEqualTo(4);
  }

  @Test
  void aDemotionDuringASlowPreFailoverScriptStopsItAndNoVipIsEverAdded() throws Exception {
    ActionRunner runner = runner();
    runner.submit(takeover(1, 4, "slow", "fast"));
    assertThat(scriptRunning.await(10, TimeUnit.SECONDS)).isTrue();

    runner.submit(demotion(2, 4));

    List<HistoryEvent> events = history(2);
    assertThat(effectsSeen).containsExactly("pre slow", "pre slow stopped", "remove_vips");
    HistoryEvent takeover = events.get(0);
    assertThat(takeover.type()).isEqualTo("takeover");
    assertThat(takeover.steps())
        .extracting(s -> s.name() + (s.skipped() ? " skipped" : ""))
        .containsExactly(
            "persist_epoch",
            "pre_failover_script skipped",
            "add_vips skipped",
            "post_failover_script skipped");
    assertThat(events.get(1).steps())
        .extracting(s -> s.name() + (s.ok() ? " ok" : ""))
        .containsExactly("remove_vips ok");
  }

  @Test
  void aReleaseNeverWaitsBehindARunningPostFailoverScript() throws Exception {
    ActionRunner runner = runner();
    runner.submit(takeover(1, 4, "fast", "slow"));
    assertThat(scriptRunning.await(10, TimeUnit.SECONDS)).isTrue();

    runner.submit(demotion(2, 4));

    // The post script would run for a minute; the VIPs go well before.
    await().atMost(WAIT).until(() -> effectsSeen.contains("remove_vips"));
    assertThat(effectsSeen)
        .containsExactly("pre fast", "add_vips", "post slow", "post slow stopped", "remove_vips");
  }

  @Test
  void aTakeoverWhoseEpochCannotBePersistedGoesNoFurtherOnceTheControllerGivesUpTheRole()
      throws Exception {
    ActionRunner runner = runner();
    // The controller answers a failed epoch persist with a release (enterFault): a new plan.
    controllerReaction =
        event -> {
          if (event instanceof Event.ActionFailed f && f.action() instanceof Action.PersistEpoch) {
            runner.submit(
                plan(
                    2,
                    new Action.RemoveVips(),
                    record(TransitionType.FAULT, Role.PRIMARY, Role.FAULT, 4)));
          }
        };
    db.close();

    runner.submit(takeover(1, 4, "fast", "fast"));

    await().atMost(WAIT).until(() -> effectsSeen.contains("remove_vips"));
    assertThat(effectsSeen).containsExactly("remove_vips");
    assertThat(feedback)
        .singleElement()
        .satisfies(
            e ->
                assertThat(((Event.ActionFailed) e).action())
                    .isEqualTo(new Action.PersistEpoch(4)));
  }

  @Test
  void aProbeOfAPlanGivenUpIsAnsweredAsSkippedSoTheControllerMayAskAgain() throws Exception {
    ActionRunner runner = runner();
    runner.submit(takeover(1, 4, "slow", "fast"));
    assertThat(scriptRunning.await(10, TimeUnit.SECONDS)).isTrue();
    runner.submit(plan(1, new Action.ProbeVips(Instant.EPOCH)));

    runner.submit(demotion(2, 4));

    await().atMost(WAIT).until(() -> !feedback.isEmpty());
    assertThat(feedback)
        .containsExactly(
            new Event.ActionFailed(
                new Action.ProbeVips(Instant.EPOCH), "skipped: the role changed"));
    assertThat(probing.getCount()).as("the probe never ran").isEqualTo(1);
  }

  @Test
  void reannouncingTheVipsNeverWaitsForAQueuedStep() throws Exception {
    ActionRunner runner = runner();
    runner.submit(takeover(1, 4, "fast", "slow"));
    assertThat(scriptRunning.await(10, TimeUnit.SECONDS)).isTrue();

    runner.submit(plan(1, new Action.ReannounceVips()));

    assertThat(effectsSeen).contains("reannounce").doesNotContain("post slow stopped");
  }

  @Test
  void aProbeThatCannotRunIsReportedAsFailedNotAsAnotherHolder() throws Exception {
    probeError = new java.io.IOException("interface fwux0 does not exist");
    runner();

    runner.submit(plan(0, new Action.ProbeVips(Instant.EPOCH)));

    await().atMost(WAIT).until(() -> !feedback.isEmpty());
    assertThat(feedback)
        .singleElement()
        .isEqualTo(
            new Event.ActionFailed(
                new Action.ProbeVips(Instant.EPOCH),
                "could not run, not claiming: interface fwux0 does not exist"));
    assertThat(feedback).noneMatch(e -> e instanceof Event.ProbeFinished);
  }

  @Test
  void closingTheRunnerClosesTheProbeSoItsSocketsDoNotOutliveTheNode() throws Exception {
    runner();
    runner.submit(plan(0, new Action.StartProbe()));

    runner.close();

    assertThat(effectsSeen).containsSubsequence("start_probe", "close_probe");
  }

  @Test
  void aDecisionSubmittedAfterTheStopIsDroppedNotThrown() throws Exception {
    runner();
    // As ControllerLoop.stop does: probing stopped, then the effects thread drained and shut down.
    runner.close();
    effects.shutdown();
    assertThat(effects.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    // A tick the loop still stepped: it probes and claims, but the node is stopping.
    runner.submit(plan(0, new Action.StartProbe(), new Action.AddVips()));

    assertThat(effectsSeen).doesNotContain("add_vips");
    assertThat(feedback).isEmpty();
  }
}
