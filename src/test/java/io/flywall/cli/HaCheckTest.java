package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.testing.FreePorts;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flywall ha check} against running nodes, one test per plugin state they can be brought
 * into; and the heartbeat port answering a TCP connect as {@code nc -zv} makes one.
 */
class HaCheckTest {
  private static final Duration DEADLINE = Duration.ofSeconds(40);

  @TempDir Path dir;

  private static ClientCommandsTest.Result check(InProcessCluster cluster, int node) {
    List<String> args = new ArrayList<>(List.of("ha", "check"));
    args.addAll(
        List.of(
            "--api",
            cluster.api(node),
            "--token-file",
            cluster.tokenFiles.get(node - 1).toString()));
    return ClientCommandsTest.runRaw(args.toArray(String[]::new));
  }

  /** Polls the check until it exits with {@code exit}, and returns that result. */
  private static ClientCommandsTest.Result awaitCheck(
      InProcessCluster cluster, int node, int exit) {
    return awaitCheck(cluster, node, exit, "");
  }

  /**
   * Polls the check until it exits with {@code exit} and says {@code text} (a stopped peer is first
   * a disconnected replica, then, after the failure timeout, a node not alive).
   */
  private static ClientCommandsTest.Result awaitCheck(
      InProcessCluster cluster, int node, int exit, String text) {
    AtomicReference<ClientCommandsTest.Result> last = new AtomicReference<>();
    await()
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              last.set(check(cluster, node));
              return last.get().exit() == exit && last.get().out().contains(text);
            });
    return last.get();
  }

  @Test
  void okOnBothNodesOfAPairWithAPrimaryAndAnInSyncReplica() throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 0)) {
      ClientCommandsTest.Result primary = awaitCheck(cluster, 1, 0);
      ClientCommandsTest.Result backup = awaitCheck(cluster, 2, 0);

      assertThat(primary.out())
          .startsWith("FLYWALL OK - node1 primary, epoch ")
          .contains("primary node1, 2/2 nodes alive, replication in sync | role=2;;;0;3 epoch=")
          .contains(" alarms=0;0;;0 nodes_alive=2;;;0;2")
          .endsWith("\n")
          .hasLineCount(1);
      assertThat(backup.out())
          .startsWith("FLYWALL OK - node2 backup, epoch ")
          .contains("| role=1;;;0;3");
    }
  }

  @Test
  void warningOnThePrimaryWhenItsBackupStops() throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 0)) {
      awaitCheck(cluster, 1, 0);

      cluster.stop(2);

      ClientCommandsTest.Result alone = awaitCheck(cluster, 1, 1, "node2 not alive");
      assertThat(alone.out())
          .startsWith("FLYWALL WARNING - node2 not alive")
          .contains("1/2 nodes alive")
          .contains("nodes_alive=1;;;0;2");
    }
  }

  @Test
  void warningWhileAFailbackIsPending() throws Exception {
    try (InProcessCluster cluster =
        new InProcessCluster(
            dir, 0, node -> "failback_mode = \"auto\"\n failback_delay = \"10m\"")) {
      // node2 (priority 100) starts alone and becomes primary; the preferred node1 joins later.
      cluster.start(2);
      await().atMost(DEADLINE).until(() -> check(cluster, 2).out().contains("node2 primary,"));
      // The configured peer it has never heard is named by its address.
      assertThat(check(cluster, 2).out())
          .startsWith("FLYWALL WARNING - peer ")
          .contains(" never heard");
      cluster.start(1);

      ClientCommandsTest.Result pending = awaitCheck(cluster, 2, 1);
      assertThat(pending.out())
          .startsWith("FLYWALL WARNING - failback pending until ")
          .contains("node2 primary");
    }
  }

  @Test
  void criticalWhenTheNodeIsInFaultAndNoPrimaryIsVisible() throws Exception {
    try (InProcessCluster cluster =
        new InProcessCluster(dir, 0, node -> "monitor_links = [\"fwtnolink0\"]")) {
      cluster.start(1);

      ClientCommandsTest.Result fault = awaitCheck(cluster, 1, 2);
      assertThat(fault.out())
          .startsWith("FLYWALL CRITICAL - fault: ")
          .contains("fwtnolink0")
          .contains("no primary visible")
          .contains("| role=3;;;0;3");
    }
  }

  @Test
  void unknownWhenNoDaemonAnswers() throws Exception {
    int nobody = FreePorts.tcp();

    ClientCommandsTest.Result result =
        ClientCommandsTest.runRaw(
            "ha", "check", "--api", "http://127.0.0.1:" + nobody, "--config", "/nonexistent");

    assertThat(result.exit()).isEqualTo(3);
    assertThat(result.out()).startsWith("FLYWALL UNKNOWN - ").doesNotContain("|").hasLineCount(1);
  }

  @Test
  void badArgumentsAreUnknownForTheMonitoringSystem() {
    ClientCommandsTest.Result word = ClientCommandsTest.runRaw("ha", "check", "--warn-lag", "soon");
    ClientCommandsTest.Result inverted =
        ClientCommandsTest.runRaw(
            "ha", "check", "--warn-lag", "1m", "--crit-lag", "10s", "--api", "http://127.0.0.1:1");

    assertThat(word.exit()).isEqualTo(3);
    assertThat(word.out()).startsWith("FLYWALL UNKNOWN - ").contains("soon");
    assertThat(inverted.exit()).isEqualTo(3);
    assertThat(inverted.out())
        .isEqualTo("FLYWALL UNKNOWN - --warn-lag (60 s) must not exceed --crit-lag (10 s)\n");
  }

  @Test
  void theHeartbeatPortOfARunningNodeAnswersATcpConnectAndClosesIt() throws Exception {
    try (InProcessCluster cluster = new InProcessCluster(dir, 0)) {
      for (String host : List.of("127.0.0.1", "127.0.0.2")) {
        try (Socket probe = new Socket()) {
          probe.connect(new InetSocketAddress(host, cluster.heartbeatPort), 2_000);
          probe.setSoTimeout(5_000);
          assertThat(probe.getInputStream().read()).as(host).isEqualTo(-1);
        }
      }
    }
  }
}
