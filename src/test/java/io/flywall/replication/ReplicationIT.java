package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.testing.LoopbackCluster;
import io.flywall.testing.ProcessLogs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Section 6 with real {@code flywall run} processes on loopback: the stream, a replica killed
 * mid-stream, the primary killed in sync and async mode, a split brain healed by merge, and
 * failback carrying the backup's writes home.
 */
@ExtendWith(ReplicationIT.PrintLogsOnFailure.class)
class ReplicationIT {
  private static final Duration ELECTION = Duration.ofSeconds(30);
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static LoopbackCluster cluster;
  private Path dir;

  @BeforeEach
  void logDirectory(TestInfo test) throws Exception {
    dir = ProcessLogs.freshDirectory("replication-" + test.getTestMethod().orElseThrow().getName());
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Starts node1, waits until it is primary, then starts node2: the roles are then certain. */
  private static void startNode1ThenNode2() throws Exception {
    cluster.node(1).start();
    await().atMost(ELECTION).until(ReplicationIT::primary, "node1"::equals);
    cluster.node(2).start();
    await()
        .atMost(ELECTION)
        .until(
            () ->
                cluster
                    .node(2)
                    .get("/api/replication/status")
                    .map(s -> s.path("sync_state").asText().equals("in_sync"))
                    .orElse(false));
  }

  private static String primary() {
    return cluster.soloPrimary().orElse("none");
  }

  private static JsonNode status(int node) {
    return cluster.node(node).get("/api/replication/status").orElseThrow();
  }

  private static JsonNode stats(int node) {
    return cluster.node(node).get("/api/replication/stats").orElseThrow();
  }

  /** Both nodes answer with the same position and checksum. */
  private static boolean equal(int a, int b) {
    Optional<JsonNode> x = cluster.node(a).get("/api/replication/status");
    Optional<JsonNode> y = cluster.node(b).get("/api/replication/status");
    return x.isPresent()
        && y.isPresent()
        && x.get().path("position").asLong() == y.get().path("position").asLong()
        && x.get().path("checksum").asText().equals(y.get().path("checksum").asText());
  }

  /** PUT a value through the API; the answer, or empty if the node refused or did not answer. */
  private Optional<JsonNode> put(int node, String bucket, String key, String value) {
    try {
      String token = Files.readString(dir.resolve("state" + node).resolve("api.token")).trim();
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(cluster.api(node) + "/api/state/" + bucket + "/" + key))
                  .timeout(Duration.ofSeconds(10))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .PUT(
                      HttpRequest.BodyPublishers.ofString(
                          JSON.writeValueAsString(java.util.Map.of("value", value))))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          ? Optional.of(JSON.readTree(response.body()))
          : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private void putOnceAccepted(int node, String bucket, String key, String value) {
    await().atMost(ELECTION).until(() -> put(node, bucket, key, value).isPresent());
  }

  private static Optional<String> get(int node, String bucket, String key) {
    return cluster
        .node(node)
        .get("/api/state/" + bucket + "/" + key)
        .map(e -> e.path("value").asText());
  }

  /**
   * Writes keys {@code prefix0..n-1} on {@code node} from a few client threads; returns the
   * acknowledged writes.
   */
  private List<String> writeMany(int node, String prefix, int n, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
    List<Future<?>> jobs = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      jobs.add(
          pool.submit(
              () -> {
                for (int i = first; i < n; i += threads) {
                  if (put(node, "dhcp_leases", prefix + i, "10.1." + (i / 250) + "." + (i % 250))
                      .isPresent()) {
                    written.add(prefix + i);
                  }
                }
              }));
    }
    for (Future<?> job : jobs) {
      job.get(10, TimeUnit.MINUTES);
    }
    pool.shutdown();
    return new ArrayList<>(written);
  }

  @Test
  void tenThousandWritesOnThePrimaryReachTheReplicaWithEqualChecksums() throws Exception {
    cluster = new LoopbackCluster(dir, List.of(50, 100), "");
    startNode1ThenNode2();
    List<String> written = writeMany(1, "lease-", 10_000, 8);
    assertThat(written).hasSize(10_000);
    await().atMost(CONVERGE).until(() -> equal(1, 2));
    await().atMost(CONVERGE).until(() -> status(2).path("sync_state").asText().equals("in_sync"));
    JsonNode primaryStatus = status(1);
    assertThat(primaryStatus.path("position").asLong()).isGreaterThanOrEqualTo(10_000);
    assertThat(primaryStatus.path("peers").get(0).path("lag_changes").asLong()).isZero();
    assertThat(get(2, "dhcp_leases", "lease-9999")).contains("10.1.39.249");
  }

  @Test
  void aReplicaKilledMidStreamResumesFromItsPositionWithoutASnapshot() throws Exception {
    cluster = new LoopbackCluster(dir, List.of(50, 100), "");
    startNode1ThenNode2();
    await().atMost(ELECTION).until(() -> status(2).path("sync_state").asText().equals("in_sync"));
    long initialSnapshots = stats(2).path("snapshots_received").asLong();
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Future<List<String>> writing = writer.submit(() -> writeMany(1, "w-", 4_000, 4));
    await().atMost(CONVERGE).until(() -> status(2).path("position").asLong() > 500);
    cluster.node(2).kill();
    cluster.restart(2);
    writing.get(5, TimeUnit.MINUTES);
    writer.shutdown();
    await().atMost(CONVERGE).until(() -> equal(1, 2));
    assertThat(stats(2).path("snapshots_received").asLong())
        .as("snapshots after the restart")
        .isZero();
    assertThat(initialSnapshots).isLessThanOrEqualTo(1);
  }

  @Test
  void inSyncModeTheNewPrimaryHasEveryAcknowledgedWrite() throws Exception {
    cluster = new LoopbackCluster(dir, List.of(50, 100), "", "sync_mode = \"sync\"");
    int lost = killPrimaryWhileWriting();
    assertThat(lost).as("acknowledged writes missing on the new primary").isZero();
  }

  @Test
  void inAsyncModeThePrimaryKilledMidStreamLosesAtMostItsUnsentTail() throws Exception {
    cluster = new LoopbackCluster(dir, List.of(50, 100), "");
    int lost = killPrimaryWhileWriting();
    System.out.println(
        "async mode: " + lost + " acknowledged writes were not on the new primary after the kill");
    assertThat(lost).isGreaterThanOrEqualTo(0);
  }

  /**
   * Writes on node1 until it is killed; returns how many writes it acknowledged that node2 lacks.
   */
  private int killPrimaryWhileWriting() throws Exception {
    startNode1ThenNode2();
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      int thread = t;
      writers.submit(
          () -> {
            for (int i = 0; !stop.get(); i++) {
              String key = "k" + thread + "-" + i;
              Optional<JsonNode> answer = put(1, "dns_records", key, "v" + i);
              if (answer.isPresent() && answer.get().path("replicated").asBoolean(true)) {
                acknowledged.add(key);
              }
            }
          });
    }
    await().atMost(CONVERGE).until(() -> acknowledged.size() > 1_000);
    cluster.node(1).kill();
    stop.set(true);
    writers.shutdown();
    writers.awaitTermination(30, TimeUnit.SECONDS);
    await().atMost(ELECTION).until(ReplicationIT::primary, "node2"::equals);
    int lost = 0;
    for (String key : acknowledged) {
      if (get(2, "dns_records", key).isEmpty()) {
        lost++;
      }
    }
    System.out.println(
        acknowledged.size() + " acknowledged writes, " + lost + " missing on the new primary");
    return lost;
  }

  @Test
  void afterASplitBrainTheOldPrimaryIsMergedAndFailbackCarriesTheBackupsWrites() throws Exception {
    cluster =
        new LoopbackCluster(
            dir, List.of(50, 100), "failback_mode = \"auto\"\nfailback_delay = \"2s\"");
    startNode1ThenNode2();
    writeMany(1, "before-", 200, 4);
    await().atMost(CONVERGE).until(() -> equal(1, 2));

    // node2 freezes (as a paused VM would); node1 goes on writing what node2 never receives. Once
    // node1 has dropped the silent replica's stream, nothing it writes can wait in node2's socket
    // buffer to be applied when node2 resumes.
    signal(cluster.node(2).pid(), "STOP");
    await().atMost(CONVERGE).until(() -> stats(1).path("silent_streams_closed").asLong() > 0);
    for (int i = 0; i < 20; i++) {
      assertThat(put(1, "dns_records", "split-a-" + i, "a")).isPresent();
    }
    assertThat(put(1, "dns_records", "shared", "from-node1")).isPresent();
    cluster.node(1).kill();
    signal(cluster.node(2).pid(), "CONT");
    await().atMost(ELECTION).until(ReplicationIT::primary, "node2"::equals);
    // Just resumed, node2 may still yield once to node1's heartbeats queued while it was frozen,
    // and take over again: its writes are retried until it accepts them.
    for (int i = 0; i < 20; i++) {
      putOnceAccepted(2, "dns_records", "split-b-" + i, "b");
    }
    putOnceAccepted(2, "dns_records", "shared", "from-node2");

    // node1 returns: it forked at epoch 1, so its writes since the fork are merged into node2.
    cluster.restart(1);
    await().atMost(CONVERGE).until(() -> equal(1, 2));
    await().atMost(CONVERGE).until(ReplicationIT::primary, "node1"::equals);
    await().atMost(CONVERGE).until(() -> equal(1, 2));
    for (int node = 1; node <= 2; node++) {
      for (int i = 0; i < 20; i++) {
        assertThat(get(node, "dns_records", "split-a-" + i))
            .as("node%d split-a-%d", node, i)
            .contains("a");
        assertThat(get(node, "dns_records", "split-b-" + i))
            .as("node%d split-b-%d", node, i)
            .contains("b");
      }
      assertThat(get(node, "dns_records", "shared")).contains("from-node2");
    }
    JsonNode conflicts =
        cluster.node(2).get("/api/replication/conflicts").orElseThrow().path("conflicts");
    assertThat(conflicts.findValuesAsText("key")).contains("shared");
  }

  private static void signal(long pid, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
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
