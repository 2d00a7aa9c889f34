package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.failover.Action;
import io.flywall.failover.Event;
import io.flywall.failover.TransitionType;
import io.flywall.network.VipGroup;
import io.flywall.state.History;
import io.flywall.state.NodeMeta;
import io.flywall.state.StateDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActionRunnerTest {
  @TempDir Path dir;
  private final ExecutorService effects = Executors.newSingleThreadExecutor();
  private final List<Event> feedback = new CopyOnWriteArrayList<>();
  private final AtomicInteger probes = new AtomicInteger();
  private final AtomicInteger claims = new AtomicInteger();
  private final CountDownLatch probing = new CountDownLatch(1);
  private final CountDownLatch answer = new CountDownLatch(1);
  private StateDatabase db;

  @AfterEach
  void stop() {
    effects.shutdownNow();
    if (db != null) {
      db.close();
    }
  }

  /** VIPs whose probe takes as long as the test says, like arping's one-second deadline. */
  private final VipGroup slowProbe =
      new VipGroup() {
        @Override
        public void claim() {
          claims.incrementAndGet();
        }

        @Override
        public void release() {}

        @Override
        public Optional<String> probeConflict() throws Exception {
          probes.incrementAndGet();
          probing.countDown();
          answer.await(10, TimeUnit.SECONDS);
          return Optional.empty();
        }

        @Override
        public void tick(boolean primary) {}

        @Override
        public void reannounce() {}

        @Override
        public List<VipState> state() {
          return List.of();
        }
      };

  private ActionRunner runner() throws Exception {
    db = StateDatabase.open(dir);
    return new ActionRunner(
        "n1",
        effects,
        Clock.systemUTC(),
        new NodeMeta(db),
        new History(db),
        slowProbe,
        FailoverScripts.none(),
        new HaMetrics(),
        new MonitorFeed(),
        feedback::add,
        () -> {},
        null,
        ConnectionSync.disabled());
  }

  @Test
  void onceAProbeHasAnsweredTheNextRequestProbesAgain() throws Exception {
    ActionRunner runner = runner();
    answer.countDown();
    runner.submit(List.of(new Action.ProbeVips()));
    await().atMost(Duration.ofSeconds(5)).until(() -> feedback.size() == 1);
    runner.submit(List.of(new Action.ProbeVips()));
    await().atMost(Duration.ofSeconds(5)).until(() -> feedback.size() == 2);
    assertThat(probes.get()).isEqualTo(2);
  }

  @Test
  void aTakeoverIsRecordedWithEveryStepTimedInOrder() throws Exception {
    ActionRunner runner = runner();
    runner.submit(
        List.of(
            new Action.PersistEpoch(4),
            new Action.AddVips(),
            new Action.Record(
                new io.flywall.failover.Transition(
                    TransitionType.TAKEOVER,
                    io.flywall.failover.Role.BACKUP,
                    io.flywall.failover.Role.PRIMARY,
                    4,
                    "peer n2 silent",
                    java.time.Instant.now()))));
    await().atMost(Duration.ofSeconds(5)).until(() -> !new History(db).newest(1).isEmpty());
    var event = new History(db).newest(1).get(0);
    assertThat(event.steps())
        .extracting(s -> s.name())
        .containsExactly("persist_epoch", "add_vips");
    assertThat(event.cause()).isEqualTo("peer n2 silent");
    assertThat(new NodeMeta(db).epoch()).isEqualTo(4);
  }
}
