package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conntrackd runs as our child: started, restarted with a growing delay, stopped only through its
 * handle.
 */
class ConntrackdSupervisorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path stateDir;

  private ConntrackdFiles files;
  private FakeLauncher launcher;
  private FakeCommands commands;
  private final FakeProcessTable processes = new FakeProcessTable();
  private ConntrackdSupervisor supervisor;

  @BeforeEach
  void setUp() throws Exception {
    files = ConntrackdFiles.forPeer(stateDir, java.net.InetAddress.getByName("10.0.3.2"));
    Files.createDirectories(files.directory());
    launcher = new FakeLauncher(files.output());
    commands =
        new FakeCommands(
            argv -> FakeCommands.failed(argv, "can't connect: is conntrackd running?"));
    supervisor =
        new ConntrackdSupervisor(
            files,
            new ConntrackdControl(commands, files.config()),
            launcher,
            RestartBackoff.standard(),
            new OrphanedConntrackd(processes, Duration.ofSeconds(5)));
  }

  @Test
  void startsConntrackdInTheForegroundWithTheNodesOwnConfig() {
    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(check.running()).isTrue();
    assertThat(check.started()).isTrue();
    assertThat(launcher.last().argv).containsExactly("conntrackd", "-C", files.config().toString());
    assertThat(supervisor.tick(T0.plusSeconds(1)).started()).as("started once").isFalse();
  }

  @Test
  void aCrashedConntrackdIsRestartedAfterADelayThatDoublesWhileItKeepsCrashing() throws Exception {
    supervisor.tick(T0);
    launcher.crash(1, "[Thu Nov 26 11:15:42 2026] (pid=25769) [ERROR] can't open multicast server");

    ConntrackdSupervisor.Check crashed = supervisor.tick(T0.plusMillis(100));

    assertThat(crashed.running()).isFalse();
    assertThat(crashed.problem())
        .hasValue(
            "conntrackd (pid 1000) exited with code 1: [ERROR] can't open multicast "
                + "server; restarting in 1000 ms");
    assertThat(supervisor.tick(T0.plusMillis(1099)).running()).isFalse();
    assertThat(supervisor.tick(T0.plusMillis(1100)).started()).isTrue();

    launcher.crash(1, "again");
    supervisor.tick(T0.plusMillis(1200));
    assertThat(supervisor.tick(T0.plusMillis(3199)).running())
        .as("second crash waits 2 s")
        .isFalse();
    assertThat(supervisor.tick(T0.plusMillis(3200)).started()).isTrue();
    assertThat(supervisor.starts()).isEqualTo(3);
  }

  @Test
  void aRunThatLastedLongEnoughResetsTheDelay() throws Exception {
    supervisor.tick(T0);
    launcher.crash(1, "x");
    supervisor.tick(T0.plusSeconds(1));
    supervisor.tick(T0.plusSeconds(2));
    launcher.crash(1, "y");

    supervisor.tick(T0.plusSeconds(2).plus(RestartBackoff.standard().stable()));

    assertThat(
            supervisor.tick(T0.plusSeconds(3).plus(RestartBackoff.standard().stable())).started())
        .isTrue();
  }

  @Test
  void aStaleLockFileFromACrashIsRemovedSoConntrackdCanStart() throws Exception {
    Files.writeString(files.lock(), "");

    assertThat(supervisor.tick(T0).started()).isTrue();
    assertThat(files.lock()).doesNotExist();
  }

  @Test
  void anotherConntrackdAnsweringOnTheSocketIsLeftAloneAndReported() throws Exception {
    Files.writeString(files.lock(), "");
    commands.answer(argv -> FakeCommands.ok(argv, ""));

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(check.running()).isFalse();
    assertThat(check.problem().orElseThrow())
        .contains("another conntrackd already runs with " + files.config())
        .contains("not started by flywall");
    assertThat(launcher.children).isEmpty();
    assertThat(files.lock()).exists();
  }

  @Test
  void aConntrackdThatCannotBeStartedIsRetriedWithBackoff() {
    launcher.failToStart = "Cannot run program \"conntrackd\": error=2, No such file or directory";

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(check.problem().orElseThrow())
        .startsWith("cannot start conntrackd: Cannot run program");
    launcher.failToStart = null;
    assertThat(supervisor.tick(T0.plusMillis(999)).running()).isFalse();
    assertThat(supervisor.tick(T0.plusMillis(1000)).started()).isTrue();
  }

  @Test
  void stopEndsTheChildThroughItsHandleAndNeverStartsItAgain() {
    supervisor.tick(T0);

    supervisor.stop();

    assertThat(launcher.last().stopped).isTrue();
    assertThat(supervisor.tick(T0.plusSeconds(100)).running()).isFalse();
    assertThat(launcher.children).hasSize(1);
  }

  @Test
  void theBackoffDoublesUpToItsMaximum() {
    RestartBackoff backoff = RestartBackoff.standard();

    assertThat(
            List.of(1, 2, 3, 6, 7, 30).stream().map(backoff::delayAfter).map(Duration::toSeconds))
        .containsExactly(1L, 2L, 4L, 32L, 60L, 60L);
  }

  @Test
  void thePidFileHoldsTheRunningChildAndGoesWhenItCrashesOrIsStopped() throws Exception {
    supervisor.tick(T0);
    assertThat(Files.readString(files.pid())).isEqualTo("1000\n");

    launcher.crash(1, "x");
    supervisor.tick(T0.plusSeconds(1));
    assertThat(files.pid()).as("our child ended: its pid means nothing now").doesNotExist();

    supervisor.tick(T0.plusSeconds(2));
    assertThat(Files.readString(files.pid())).isEqualTo("1001\n");
    supervisor.stop();
    assertThat(files.pid()).doesNotExist();
  }

  @Test
  void aConntrackdLeftRunningByAKilledDaemonIsStoppedAndAFreshOneStarted() throws Exception {
    Files.writeString(files.pid(), "4242\n");
    Files.writeString(files.lock(), "");
    processes.add(4242, true, "conntrackd", "-C", files.config().toString());

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(processes.signals).containsExactly("TERM 4242");
    assertThat(check.started()).isTrue();
    assertThat(check.orphan())
        .hasValueSatisfying(
            orphan -> {
              assertThat(orphan.kind()).isEqualTo(OrphanedConntrackd.Kind.STOPPED);
              assertThat(orphan.replaced()).isTrue();
              assertThat(orphan.detail())
                  .isEqualTo(
                      "stopped the conntrackd (pid 4242) a killed daemon left running with "
                          + files.config()
                          + " (SIGTERM); starting a fresh one");
            });
    assertThat(launcher.children).hasSize(1);
    assertThat(Files.readString(files.pid())).isEqualTo("1000\n");
  }

  @Test
  void anOrphanThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
    Files.writeString(files.pid(), "4242");
    FakeProcessTable.FakeProcess orphan =
        processes.add(4242, false, "/usr/sbin/conntrackd", "-C", files.config().toString());

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(processes.signals).containsExactly("TERM 4242", "KILL 4242");
    assertThat(orphan.waits).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));
    assertThat(check.orphan().orElseThrow().kind()).isEqualTo(OrphanedConntrackd.Kind.KILLED);
    assertThat(check.started()).isTrue();
  }

  @Test
  void aPidNowHeldByAnotherProgramIsLeftAlone() throws Exception {
    Files.writeString(files.pid(), "4242\n");
    processes.add(4242, true, "/usr/sbin/sshd", "-D");

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(processes.signals).isEmpty();
    assertThat(check.orphan().orElseThrow().kind()).isEqualTo(OrphanedConntrackd.Kind.NOT_OURS);
    assertThat(check.orphan().orElseThrow().replaced()).isFalse();
    assertThat(check.started()).isTrue();
    assertThat(Files.readString(files.pid())).isEqualTo("1000\n");
  }

  @Test
  void aConntrackdOfAnotherConfigurationIsNotOurs() throws Exception {
    Files.writeString(files.pid(), "4242\n");
    processes.add(4242, true, "conntrackd", "-C", "/etc/conntrackd/conntrackd.conf");

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(processes.signals).isEmpty();
    assertThat(check.orphan().orElseThrow().kind()).isEqualTo(OrphanedConntrackd.Kind.NOT_OURS);
  }

  @Test
  void aPidFileOfAProcessThatHasEndedOrOfGarbageIsJustRemoved() throws Exception {
    Files.writeString(files.pid(), "4242\n");

    assertThat(supervisor.tick(T0).orphan().orElseThrow().kind())
        .isEqualTo(OrphanedConntrackd.Kind.GONE);

    supervisor.stop();
    Files.writeString(files.pid(), "not a pid");
    ConntrackdSupervisor next =
        new ConntrackdSupervisor(
            files,
            new ConntrackdControl(commands, files.config()),
            launcher,
            RestartBackoff.standard(),
            new OrphanedConntrackd(processes, Duration.ofSeconds(5)));
    assertThat(next.tick(T0).orphan().orElseThrow().kind())
        .isEqualTo(OrphanedConntrackd.Kind.UNREADABLE);
    assertThat(processes.signals).isEmpty();
  }

  @Test
  void anOrphanThatOutlivesSigkillKeepsTheNewOneFromStartingAndIsTriedAgain() throws Exception {
    Files.writeString(files.pid(), "4242\n");
    FakeProcessTable.FakeProcess stuck =
        processes.addUnkillable(4242, "conntrackd", "-C", files.config().toString());

    ConntrackdSupervisor.Check check = supervisor.tick(T0);

    assertThat(check.running()).isFalse();
    assertThat(check.problem().orElseThrow())
        .startsWith("cannot start conntrackd: the conntrackd (pid 4242) a killed daemon left")
        .contains("does not end even on SIGKILL; stop it by hand");
    assertThat(launcher.children).isEmpty();
    assertThat(files.pid()).as("kept for the next attempt").exists();

    stuck.alive = false;
    assertThat(supervisor.tick(T0.plusSeconds(1)).started()).isTrue();
  }

  @Test
  void onlyConntrackdWithExactlyThisConfigurationCountsAsOurs() {
    Path config = Path.of("/var/lib/flywall/conntrackd/10.0.3.2/conntrackd.conf");

    assertThat(
            OrphanedConntrackd.startedFor(
                List.of("/usr/sbin/conntrackd", "-C", config.toString()), config))
        .isTrue();
    assertThat(OrphanedConntrackd.startedFor(List.of("conntrackd", "-C", config + "x"), config))
        .isFalse();
    assertThat(
            OrphanedConntrackd.startedFor(
                List.of("notconntrackd", "-C", config.toString()), config))
        .isFalse();
    assertThat(OrphanedConntrackd.startedFor(List.of("conntrackd", config.toString()), config))
        .isFalse();
    assertThat(OrphanedConntrackd.startedFor(List.of(), config)).isFalse();
  }
}
