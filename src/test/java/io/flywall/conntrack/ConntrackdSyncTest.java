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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  private final Map<String, AtomicLong> receivedFrom = new HashMap<>();
  private final Map<String, FakeLauncher> launchers = new LinkedHashMap<>();
  private final FakeProcessTable processes = new FakeProcessTable();
  private final List<String> alarms = new ArrayList<>();
  private final List<String> events = new ArrayList<>();
  private final List<SyncStatus> statuses = new ArrayList<>();
  private FakeCommands commands;
  private FakeLauncher launcher;
  private ConntrackdSync sync;

  @BeforeEach
  void setUp() throws Exception {
    commands = new FakeCommands(this::conntrackd);
    sync = syncWith("10.0.3.2");
    launcher = launchers.get("10.0.3.2");
  }

  /** This node is 10.0.3.1 on sync0; one channel per peer, each with its own fake launcher. */
  private ConntrackdSync syncWith(String... peers) throws Exception {
    launchers.clear();
    List<InetAddress> cluster = new ArrayList<>(List.of(InetAddress.getByName("10.0.3.1")));
    for (String peer : peers) {
      cluster.add(InetAddress.getByName(peer));
    }
    List<ConntrackdSync.Channel> channels = new ArrayList<>();
    for (String peer : peers) {
      SyncLink link =
          new SyncLink("sync0", InetAddress.getByName("10.0.3.1"), 24, InetAddress.getByName(peer));
      ConntrackdFiles files = ConntrackdFiles.forPeer(stateDir, link.peerAddress());
      ConntrackdConf conf =
          ConntrackdConf.of(
              link,
              PairPorts.standard().port(link.localAddress(), link.peerAddress(), cluster),
              1000,
              INTERVAL,
              files,
              cluster);
      FakeLauncher own = new FakeLauncher(files.output());
      launchers.put(peer, own);
      ConntrackdControl control = new ConntrackdControl(commands, files.config());
      channels.add(
          new ConntrackdSync.Channel(
              conf,
              control,
              new ConntrackdSupervisor(
                  files,
                  control,
                  own,
                  RestartBackoff.standard(),
                  new OrphanedConntrackd(processes, Duration.ofSeconds(5)))));
    }
    ConntrackdSync built =
        new ConntrackdSync(
            channels,
            new SyncPortGuard(
                commands,
                channels.stream().map(ConntrackdSync.Channel::conf).toList(),
                ConntrackdFiles.root(stateDir)),
            INTERVAL,
            clock,
            Executors.newSingleThreadScheduledExecutor());
    built.writeConfig();
    // Not start(): that schedules real ticks, and these tests drive tick() on simulated time.
    built.observe(
        new SyncObserver() {
          @Override
          public void status(SyncStatus status) {
            statuses.add(status);
          }

          @Override
          public void alarm(String name, String detail, boolean raised) {
            alarms.add((raised ? "raise " : "clear ") + name + ": " + detail);
          }

          @Override
          public void event(String name, String detail) {
            events.add(name + ": " + detail);
          }
        });
    return built;
  }

  /** The peer a conntrackd command was for, from its config path: ".../conntrackd/PEER/...". */
  private static String peerOf(List<String> argv) {
    return Path.of(argv.get(2)).getParent().getFileName().toString();
  }

  private CommandResult conntrackd(List<String> argv) {
    if (argv.get(argv.size() - 1).equals("-s")) {
      AtomicLong count = receivedFrom.get(peerOf(argv));
      return FakeCommands.ok(argv, stats(count == null ? received.get() : count.get()));
    }
    return FakeCommands.ok(argv, "");
  }

  /** "PEER OPTION" for every conntrackd client command, in order. */
  private List<String> conntrackdCalls() {
    return commands.commands.stream()
        .filter(c -> c.get(0).equals("conntrackd"))
        .map(c -> peerOf(c) + " " + c.get(c.size() - 1))
        .toList();
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
    ConntrackdConf conf = sync.confs().get(0);
    assertThat(conf.files().config())
        .isEqualTo(stateDir.resolve("conntrackd/10.0.3.2/conntrackd.conf"));
    assertThat(Files.readString(conf.files().config())).isEqualTo(conf.text());
  }

  @Test
  void silenceNeedsTwoIntervalsAndAtLeastThreeKeepAlives() {
    assertThat(ConntrackdSync.silenceAfter(Duration.ofSeconds(5))).hasSeconds(10);
    assertThat(ConntrackdSync.silenceAfter(Duration.ofMillis(500))).hasSeconds(3);
    assertThat(ConntrackdSync.tickInterval(Duration.ofSeconds(5))).hasSeconds(1);
    assertThat(ConntrackdSync.tickInterval(Duration.ofMillis(200))).hasMillis(200);
  }

  @Test
  void withTwoPeersEachHasItsOwnConntrackdAndTheStatusSumsThemUp() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    receivedFrom.put("10.0.3.2", new AtomicLong(40));
    receivedFrom.put("10.0.3.3", new AtomicLong(2));

    sync.tick();

    assertThat(launchers.values()).allSatisfy(l -> assertThat(l.children).hasSize(1));
    assertThat(launchers.get("10.0.3.3").last().argv)
        .containsExactly(
            "conntrackd", "-C", stateDir.resolve("conntrackd/10.0.3.3/conntrackd.conf").toString());
    SyncStatus status = sync.status();
    assertThat(status.state()).isEqualTo("running");
    assertThat(status.detail()).isEqualTo("in sync with every peer");
    assertThat(status.peerAddress()).hasValue("10.0.3.2, 10.0.3.3");
    assertThat(status.stats())
        .hasValueSatisfying(
            stats -> {
              assertThat(stats.internalEntries()).as("one kernel table").isEqualTo(3);
              assertThat(stats.externalEntries()).as("two peers' tables").isEqualTo(2006);
              assertThat(stats.messagesReceived()).isEqualTo(42);
            });
    assertThat(status.peers())
        .extracting(PeerSyncStatus::address, PeerSyncStatus::port, PeerSyncStatus::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.3.2", 3780, "running"),
            org.assertj.core.groups.Tuple.tuple("10.0.3.3", 3781, "running"));
  }

  @Test
  void aSilentPeerOfThreeRaisesTheAlarmForThatPeerOnly() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    receivedFrom.put("10.0.3.2", new AtomicLong(10));
    receivedFrom.put("10.0.3.3", new AtomicLong(10));
    sync.tick();

    for (int second = 1; second <= 10; second++) {
      receivedFrom.get("10.0.3.2").addAndGet(1);
      clock.advance(Duration.ofSeconds(1));
      sync.tick();
    }

    assertThat(alarms)
        .containsExactly(
            "raise conntrack_sync_silent: conntrackd has received nothing from its peer "
                + "10.0.3.3 on sync0 for 10 s; connection state is not being synced");
    assertThat(sync.status().detail()).isEqualTo("no messages from 10.0.3.3");
    assertThat(sync.status().peers())
        .extracting(PeerSyncStatus::address, PeerSyncStatus::silent)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.3.2", false),
            org.assertj.core.groups.Tuple.tuple("10.0.3.3", true));

    receivedFrom.get("10.0.3.3").addAndGet(1);
    clock.advance(INTERVAL);
    sync.tick();

    assertThat(alarms)
        .last()
        .isEqualTo("clear conntrack_sync_silent: conntrackd hears from every peer again");
  }

  @Test
  void takeoverCommitsEveryChannelTheOneHeardFromLastGoingLastThenResyncsEach() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    receivedFrom.put("10.0.3.2", new AtomicLong(10));
    receivedFrom.put("10.0.3.3", new AtomicLong(10));
    sync.tick();
    // 10.0.3.3 keeps talking, 10.0.3.2 fell silent (the old primary, powered off).
    receivedFrom.get("10.0.3.3").addAndGet(5);
    clock.advance(INTERVAL);
    sync.tick();
    commands.commands.clear();

    List<SyncStep> steps = sync.takeOver();

    assertThat(conntrackdCalls())
        .containsExactly(
            "10.0.3.2 -c",
            "10.0.3.3 -c",
            "10.0.3.2 -f",
            "10.0.3.2 -R",
            "10.0.3.2 -B",
            "10.0.3.3 -f",
            "10.0.3.3 -R",
            "10.0.3.3 -B");
    assertThat(steps)
        .extracting(SyncStep::name)
        .containsExactly("commit_connection_state", "resync_connection_state");
    assertThat(steps).allMatch(SyncStep::ok);
  }

  @Test
  void aChannelThatIsDownFailsTheCommitStepWhileTheOthersAreCommitted() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    sync.tick();
    launchers.get("10.0.3.3").crash(1, "[x] (pid=1) [ERROR] can't open channel socket");
    sync.tick();
    commands.commands.clear();

    List<SyncStep> steps = sync.takeOver();

    assertThat(conntrackdCalls())
        .containsExactly("10.0.3.2 -c", "10.0.3.2 -f", "10.0.3.2 -R", "10.0.3.2 -B");
    assertThat(steps.get(0).ok()).isFalse();
    assertThat(steps.get(0).detail())
        .startsWith("channel to 10.0.3.3: conntrackd is not running: conntrackd (pid 1000) exited");
    assertThat(steps.get(1).ok()).isTrue();
    assertThat(alarms)
        .singleElement()
        .asString()
        .startsWith("raise conntrack_sync_down: channel to 10.0.3.3: conntrackd (pid 1000) exited");
  }

  @Test
  void releaseShortensTimersAndAsksForTheTableOnEveryChannel() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    sync.tick();
    commands.commands.clear();

    List<SyncStep> steps = sync.release();

    assertThat(conntrackdCalls())
        .containsExactly("10.0.3.2 -t", "10.0.3.2 -n", "10.0.3.3 -t", "10.0.3.3 -n");
    assertThat(steps).singleElement().matches(SyncStep::ok);
  }

  @Test
  void aReplacedOrphanIsReportedAsAnEventForTheHistory() throws Exception {
    ConntrackdFiles files = sync.confs().get(0).files();
    Files.writeString(files.pid(), "4242\n");
    processes.add(4242, true, "conntrackd", "-C", files.config().toString());

    sync.tick();

    assertThat(processes.signals).containsExactly("TERM 4242");
    assertThat(events)
        .containsExactly(
            "conntrackd_orphan_replaced: stopped the conntrackd (pid 4242) a killed daemon left "
                + "running with "
                + files.config()
                + " (SIGTERM); starting a fresh one");
    assertThat(sync.pids()).containsExactly(1000L);
  }

  @Test
  void closeStopsEveryChannelsConntrackd() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    sync.tick();

    sync.close();

    assertThat(launchers.values()).allSatisfy(l -> assertThat(l.last().stopped).isTrue());
  }

  @Test
  void eachChannelsPortAcceptsOnlyItsPeerOverTheSyncInterface() throws Exception {
    sync = syncWith("10.0.3.2", "10.0.3.3");
    SyncPortGuard guard = new SyncPortGuard(commands, sync.confs(), ConntrackdFiles.root(stateDir));

    assertThat(guard.install()).isEmpty();

    String table = guard.table();
    assertThat(table).matches("flywall_conntrackd_[0-9a-f]{8}");
    assertThat(Files.readString(stateDir.resolve("conntrackd/sync-ports.nft")))
        .isEqualTo(
            """
            table inet TABLE {}
            delete table inet TABLE
            table inet TABLE {
            \tchain input {
            \t\ttype filter hook input priority -10; policy accept;
            \t\tudp dport 3780 iifname "sync0" ip saddr 10.0.3.2 ip daddr 10.0.3.1 accept
            \t\tudp dport 3780 drop
            \t\tudp dport 3781 iifname "sync0" ip saddr 10.0.3.3 ip daddr 10.0.3.1 accept
            \t\tudp dport 3781 drop
            \t}
            }
            """
                .replace("TABLE", table));
    assertThat(commands.commands)
        .containsExactly(
            List.of("nft", "-f", stateDir.resolve("conntrackd/sync-ports.nft").toString()));
  }

  @Test
  void withoutNftTheGuardSaysWhichPackageIsMissingAndSyncRunsAnyway() throws Exception {
    commands.answer(
        argv ->
            argv.get(0).equals("nft")
                ? new CommandResult(argv, 127, "", "Cannot run program \"nft\"", false)
                : conntrackd(argv));
    SyncPortGuard guard = new SyncPortGuard(commands, sync.confs(), ConntrackdFiles.root(stateDir));

    assertThat(guard.install()).hasValue("nft not found (install the Debian package nftables)");
    sync.tick();
    assertThat(sync.status().state()).isEqualTo("running");
  }
}
