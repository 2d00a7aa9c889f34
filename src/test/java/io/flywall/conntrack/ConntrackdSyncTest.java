package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.network.CommandResult;
import io.flywall.testing.MutableClock;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supervision, statistics, alarms and the takeover/release sequences, on simulated time. */
class ConntrackdSyncTest {
  private static final Duration INTERVAL = Duration.ofSeconds(5);

  @TempDir Path stateDir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final AtomicLong received = new AtomicLong();
  private final List<String> alarms = new ArrayList<>();
  private final List<SyncStatus> statuses = new ArrayList<>();
  private FakeCommands commands;
  private FakeLauncher launcher;
  private ConntrackdSync sync;

  @BeforeEach
  void setUp() throws Exception {
    ConntrackdFiles files = ConntrackdFiles.under(stateDir);
    SyncLink link =
        new SyncLink(
            "sync0", InetAddress.getByName("10.0.3.1"), 24, InetAddress.getByName("10.0.3.2"));
    ConntrackdConf conf = ConntrackdConf.of(link, 1000, INTERVAL, files);
    commands = new FakeCommands(this::conntrackd);
    launcher = new FakeLauncher(files.output());
    ConntrackdControl control = new ConntrackdControl(commands, files.config());
    sync =
        new ConntrackdSync(
            conf,
            control,
            new ConntrackdSupervisor(files, control, launcher, RestartBackoff.standard()),
            clock,
            Executors.newSingleThreadScheduledExecutor());
    sync.writeConfig();
    // Not start(): that schedules real ticks, and these tests drive tick() on simulated time.
    sync.observe(
        new SyncObserver() {
          @Override
          public void status(SyncStatus status) {
            statuses.add(status);
          }

          @Override
          public void alarm(String name, String detail, boolean raised) {
            alarms.add((raised ? "raise " : "clear ") + name + ": " + detail);
          }
        });
  }

  private CommandResult conntrackd(List<String> argv) {
    if (argv.get(argv.size() - 1).equals("-s")) {
      return FakeCommands.ok(argv, stats(received.get()));
    }
    return FakeCommands.ok(argv, "");
  }

  private static String stats(long receivedPackets) {
    return """
        cache internal:
        current active connections:\t           3
        connections created:\t\t           6\tfailed:\t           0

        cache external:
        current active connections:\t        1003
        connections created:\t\t        1004\tfailed:\t           0

        UDP traffic (active device=sync0):
                        1700 Bytes sent                85912 Bytes recv
                          97 Pckts sent                 %d Pckts recv
                           0 Error send                    0 Error recv

        message tracking:
                           0 Malformed msgs                    2 Lost msgs
        """
        .formatted(receivedPackets);
  }

  private void tickEvery(Duration step, Duration total) {
    for (Duration t = Duration.ZERO; t.compareTo(total) < 0; t = t.plus(step)) {
      clock.advance(step);
      sync.tick();
    }
  }

  @Test
  void aRunningConntrackdReportsCacheSizesAndMessageCounts() {
    received.set(40);

    sync.tick();

    SyncStatus status = sync.status();
    assertThat(status.state()).isEqualTo("running");
    assertThat(status.healthy()).isTrue();
    assertThat(status.stats())
        .hasValueSatisfying(
            stats -> {
              assertThat(stats.internalEntries()).isEqualTo(3);
              assertThat(stats.externalEntries()).isEqualTo(1003);
              assertThat(stats.messagesSent()).isEqualTo(97);
              assertThat(stats.messagesReceived()).isEqualTo(40);
              assertThat(stats.messagesLost()).isEqualTo(2);
            });
    assertThat(statuses).isNotEmpty();
    assertThat(alarms).isEmpty();
  }

  @Test
  void statisticsAreSampledOncePerSyncInterval() {
    tickEvery(Duration.ofSeconds(1), Duration.ofSeconds(10));

    assertThat(commands.conntrackdOptions()).containsExactly("-s", "-s");
  }

  @Test
  void aPeerThatStopsSendingRaisesTheSilenceAlarmAndClearsItWhenItIsBack() {
    received.set(10);
    sync.tick();
    tickEvery(Duration.ofSeconds(1), Duration.ofSeconds(9));
    assertThat(alarms).as("one unchanged sample is not yet silence").isEmpty();

    tickEvery(Duration.ofSeconds(1), Duration.ofSeconds(1));

    assertThat(alarms)
        .containsExactly(
            "raise conntrack_sync_silent: conntrackd has received nothing from its peer "
                + "10.0.3.2 on sync0 for 10 s; connection state is not being synced");
    assertThat(sync.status().peerSilent()).isTrue();
    assertThat(sync.status().healthy()).isFalse();
    assertThat(sync.status().alarms()).containsOnlyKeys("conntrack_sync_silent");

    received.set(15);
    tickEvery(Duration.ofSeconds(1), Duration.ofSeconds(5));

    assertThat(alarms)
        .hasSize(2)
        .last()
        .isEqualTo("clear conntrack_sync_silent: conntrackd hears from its peer again");
    assertThat(sync.status().healthy()).isTrue();
  }

  @Test
  void aCrashRaisesTheDownAlarmUntilConntrackdRunsAgain() throws Exception {
    sync.tick();

    launcher.crash(
        1, "[x] (pid=1) [ERROR] can't open channel socket: Cannot assign requested address");
    clock.advance(Duration.ofMillis(500));
    sync.tick();

    assertThat(sync.status().state()).isEqualTo("restarting");
    assertThat(alarms)
        .singleElement()
        .asString()
        .startsWith(
            "raise conntrack_sync_down: conntrackd (pid 1000) "
                + "exited with code 1: [ERROR] can't open channel socket: Cannot assign requested address");

    tickEvery(Duration.ofSeconds(1), Duration.ofSeconds(2));

    assertThat(launcher.children).hasSize(2);
    assertThat(sync.status().state()).isEqualTo("running");
    assertThat(sync.status().restarts()).isEqualTo(1);
    assertThat(alarms).last().isEqualTo("clear conntrack_sync_down: conntrackd runs again");
    assertThat(sync.status().alarms()).isEmpty();
  }

  @Test
  void takeoverCommitsTheExternalCacheBeforeFlushingResyncingAndSendingInBulk() {
    sync.tick();
    commands.commands.clear();

    List<SyncStep> steps = sync.takeOver();

    assertThat(commands.conntrackdOptions()).containsExactly("-c", "-f", "-R", "-B");
    assertThat(steps)
        .extracting(SyncStep::name)
        .containsExactly("commit_connection_state", "resync_connection_state");
    assertThat(steps).allMatch(SyncStep::ok);
    assertThat(sync.status().lastCommit()).isPresent();
  }

  @Test
  void aFailedCommitStopsTheSequenceAndSaysWhy() {
    sync.tick();
    commands.answer(argv -> FakeCommands.failed(argv, "can't connect: is conntrackd running?"));

    List<SyncStep> steps = sync.takeOver();

    assertThat(steps)
        .singleElement()
        .satisfies(
            step -> {
              assertThat(step.name()).isEqualTo("commit_connection_state");
              assertThat(step.ok()).isFalse();
              assertThat(step.detail()).contains("can't connect: is conntrackd running?");
            });
  }

  @Test
  void takeoverWithConntrackdDownFailsItsCommitStepWithTheCrashReason() throws Exception {
    sync.tick();
    launcher.crash(139, "[x] (pid=1) [ERROR] segfault");
    sync.tick();
    commands.commands.clear();

    List<SyncStep> steps = sync.takeOver();

    assertThat(commands.commands).as("no command to a dead daemon").isEmpty();
    assertThat(steps)
        .singleElement()
        .satisfies(
            step -> {
              assertThat(step.ok()).isFalse();
              assertThat(step.detail())
                  .startsWith(
                      "conntrackd is not running: conntrackd (pid 1000) exited with code 139");
            });
  }

  @Test
  void releaseShortensTheOldTimersAndAsksThePeerForItsTable() {
    sync.tick();
    commands.commands.clear();

    List<SyncStep> steps = sync.release();

    assertThat(commands.conntrackdOptions()).containsExactly("-t", "-n");
    assertThat(steps)
        .singleElement()
        .extracting(SyncStep::name)
        .isEqualTo("resume_connection_state_collection");
  }

  @Test
  void closeStopsConntrackd() {
    sync.tick();

    sync.close();

    assertThat(launcher.last().stopped).isTrue();
  }

  @Test
  void startWritesTheConfigurationIntoTheNodesStateDir() throws Exception {
    assertThat(Files.readString(ConntrackdFiles.under(stateDir).config()))
        .isEqualTo(sync.conf().text());
  }

  @Test
  void silenceNeedsTwoIntervalsAndAtLeastThreeKeepAlives() {
    assertThat(ConntrackdSync.silenceAfter(Duration.ofSeconds(5))).hasSeconds(10);
    assertThat(ConntrackdSync.silenceAfter(Duration.ofMillis(500))).hasSeconds(3);
    assertThat(ConntrackdSync.tickInterval(Duration.ofSeconds(5))).hasSeconds(1);
    assertThat(ConntrackdSync.tickInterval(Duration.ofMillis(200))).hasMillis(200);
  }
}
