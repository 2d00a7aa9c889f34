package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.flywall.cli.Main;
import io.flywall.testing.LoopbackCluster;
import io.flywall.testing.ProcessLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Three real {@code flywall run} processes on loopback (no VIPs): they elect the preferred node,
 * fail over when it is killed, and fail back per policy when it returns.
 */
@ExtendWith(LoopbackClusterIT.PrintLogsOnFailure.class)
class LoopbackClusterIT {
  private static final Duration ELECTION = Duration.ofSeconds(20);
  // A cold start: three JVMs, their key derivation and the startup hold, on shared busy cores.
  private static final Duration COLD_START = Duration.ofSeconds(60);

  static LoopbackCluster cluster;
  private Path dir;

  @BeforeEach
  void logDirectory(TestInfo test) throws Exception {
    // Under target/, not a temp dir: the node logs must outlive a failed test for CI to show.
    dir = ProcessLogs.freshDirectory("loopback-" + test.getTestMethod().orElseThrow().getName());
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String primary() {
    return cluster.soloPrimary().orElse("none");
  }

  @Test
  void electsThePreferredNodeFailsOverOnKillAndFailsBackAutomatically() throws Exception {
    cluster =
        new LoopbackCluster(
                dir, List.of(50, 100, 150), "failback_mode = \"auto\"\nfailback_delay = \"1s\"")
            .startAll();
    await().atMost(COLD_START).until(LoopbackClusterIT::primary, "node1"::equals);
    await()
        .atMost(ELECTION)
        .until(() -> cluster.roles().values().stream().filter("backup"::equals).count() == 2);
    // Only in-sync backups are eligible while one exists (section 4): wait until both caught up.
    await()
        .atMost(ELECTION)
        .until(
            () ->
                List.of(2, 3).stream()
                    .allMatch(
                        i ->
                            cluster
                                .node(i)
                                .get("/api/replication/status")
                                .map(s -> s.path("sync_state").asText().equals("in_sync"))
                                .orElse(false)));

    cluster.node(1).kill();
    await().atMost(ELECTION).until(LoopbackClusterIT::primary, "node2"::equals);
    JsonNode takeover = latest(2, "takeover");
    assertThat(takeover.path("cause").asText()).contains("node1");
    assertThat(takeover.path("steps").findValuesAsText("name")).startsWith("persist_epoch");

    cluster.restart(1);
    await().atMost(ELECTION).until(LoopbackClusterIT::primary, "node1"::equals);
    assertThat(latest(2, "failback").path("cause").asText()).contains("node1");
    assertThat(cluster.roles()).containsValues("backup").doesNotContainEntry("node2", "primary");
  }

  @Test
  void manualFailbackWaitsForTheOperatorAndPlannedFailoverMovesTheRole() throws Exception {
    // A startup hold long enough for every JVM to start, so the preferred node wins the first
    // election.
    cluster =
        new LoopbackCluster(
                dir,
                List.of(50, 100, 150),
                "failback_mode = \"manual\"\nfailback_delay = \"1s\"\nfailure_timeout = \"3s\"")
            .startAll();
    await().atMost(COLD_START).until(LoopbackClusterIT::primary, "node1"::equals);

    cluster.node(1).kill();
    await().atMost(ELECTION).until(LoopbackClusterIT::primary, "node2"::equals);
    cluster.restart(1);
    await().atMost(ELECTION).until(() -> cluster.node(1).role().equals(Optional.of("backup")));
    // Manual mode: node1 stays backup well past failback_delay.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(LoopbackClusterIT::primary, "node2"::equals);

    int armed =
        Main.run(
            "ha",
            "failback",
            "enable",
            "--api",
            cluster.api(1).toString(),
            "--token-file",
            cluster.config(1).getParent().resolve("state1/api.token").toString());
    assertThat(armed).isZero();
    await().atMost(ELECTION).until(LoopbackClusterIT::primary, "node1"::equals);
    // A handover target must have caught up with the current primary (node1 just took over).
    await()
        .atMost(ELECTION)
        .until(
            () ->
                cluster
                    .node(3)
                    .get("/api/replication/status")
                    .map(
                        s ->
                            s.path("primary_id").asText().equals("node1")
                                && s.path("sync_state").asText().equals("in_sync"))
                    .orElse(false));

    // node1 learns that node3 is in sync from node3's next heartbeat: until then it rightly
    // refuses (exit 6, no eligible target), as it would an operator who asked a moment too early.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                Main.run(
                        "ha",
                        "failover",
                        "--to",
                        "node3",
                        "--api",
                        cluster.api(1).toString(),
                        "--token-file",
                        cluster.config(1).getParent().resolve("state1/api.token").toString())
                    == 0);
    await().atMost(ELECTION).until(LoopbackClusterIT::primary, "node3"::equals);
    assertThat(latest(3, "takeover").path("cause").asText()).contains("handover");
  }

  @Test
  void aPrimaryThatLosesQuorumReleasesAndStaysBackup() throws Exception {
    cluster = new LoopbackCluster(dir, List.of(50, 100, 150), "").startAll();
    await().atMost(COLD_START).until(() -> cluster.soloPrimary().isPresent());
    int survivor = Integer.parseInt(primary().substring("node".length()));
    for (int i = 1; i <= 3; i++) {
      if (i != survivor) {
        cluster.node(i).kill();
      }
    }
    // The survivor sees 1 of 3 voters: it must release within the failure timeout and stay backup.
    await()
        .atMost(ELECTION)
        .until(() -> cluster.node(survivor).role().equals(Optional.of("backup")));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> !cluster.node(survivor).role().equals(Optional.of("primary")));
    JsonNode status = cluster.node(survivor).get("/api/ha/status").orElseThrow();
    assertThat(status.path("quorum").path("has_quorum").asBoolean()).isFalse();
    assertThat(latest(survivor, "release").path("cause").asText()).containsIgnoringCase("quorum");
  }

  private static JsonNode latest(int node, String type) {
    JsonNode events =
        cluster.node(node).get("/api/ha/history?limit=50").orElseThrow().path("events");
    for (JsonNode event : events) {
      if (event.path("type").asText().equals(type)) {
        return event;
      }
    }
    throw new AssertionError("node" + node + " has no '" + type + "' event in " + events);
  }

  /** On failure, the tail of every node's log is what explains it. */
  static final class PrintLogsOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (cluster != null) {
        System.out.println(cluster.logs());
      }
    }
  }
}
