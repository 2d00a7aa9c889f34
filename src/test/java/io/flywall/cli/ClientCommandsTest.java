package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The client commands against two running nodes: output, exit codes, and --json equal to the API's
 * JSON.
 */
class ClientCommandsTest {
  @TempDir static Path dir;
  static InProcessCluster cluster;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    cluster = new InProcessCluster(dir, 0);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> run(1, "ha", "status", "--json").out.contains("\"role\" : \"primary\""));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  record Result(int exit, String out, String err) {}

  static Result run(int node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--api",
            cluster.api(node),
            "--token-file",
            cluster.tokenFiles.get(node - 1).toString()));
    return runRaw(all.toArray(String[]::new));
  }

  static Result runRaw(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  /**
   * Runs a client command against node {@code node} of {@code other} and returns its standard
   * output.
   */
  static String runRawFor(InProcessCluster other, int node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--api", other.api(node), "--token-file", other.tokenFiles.get(node - 1).toString()));
    return runRaw(all.toArray(String[]::new)).out;
  }

  static JsonNode api(int node, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(cluster.api(node) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  @Test
  void statusPrintsATableAndJsonThatParsesBackToTheApisDocument() throws Exception {
    Result table = run(1, "ha", "status");
    assertThat(table.exit).isZero();
    assertThat(table.out)
        .contains("Node:      node1 (priority 50)")
        .contains("Role:      primary")
        .contains("Quorum:");
    Result json = run(1, "ha", "status", "--json");
    assertThat(json.exit).isZero();
    JsonNode fromCli = JSON.readTree(json.out);
    JsonNode fromApi = api(1, "/api/ha/status");
    assertThat(fromCli.fieldNames())
        .toIterable()
        .containsExactlyElementsOf(() -> fromApi.fieldNames());
    assertThat(fromCli.path("node_id")).isEqualTo(fromApi.path("node_id"));
    assertThat(fromCli.path("epoch")).isEqualTo(fromApi.path("epoch"));
  }

  @Test
  void clusterListsBothNodesAndHistoryHonoursTheLimit() throws Exception {
    Result cluster = run(2, "ha", "cluster");
    assertThat(cluster.exit).isZero();
    assertThat(cluster.out)
        .contains("NODE")
        .contains("node1")
        .contains("node2")
        .contains("primary");
    Result history = run(1, "ha", "history", "--limit", "1", "--json");
    assertThat(history.exit).isZero();
    assertThat(JSON.readTree(history.out).path("events").size()).isEqualTo(1);
    assertThat(run(1, "ha", "history", "--limit", "0").exit).isEqualTo(2);
  }

  @Test
  void refusedCommandsExitOneWithTheClustersReason() {
    Result failover = run(2, "ha", "failover");
    assertThat(failover.exit).isEqualTo(1);
    assertThat(failover.err).contains("not primary").contains("HTTP 409");
  }

  @Test
  void failbackSettingAndResetAreAcceptedWithTheToken() throws Exception {
    Result disable = run(1, "ha", "failback", "disable", "--json");
    assertThat(disable.exit).isZero();
    assertThat(JSON.readTree(disable.out).path("failback_enabled").asBoolean()).isFalse();
    assertThat(run(1, "ha", "reset").exit).isZero();
    assertThat(run(1, "ha", "failback", "sideways").exit).isEqualTo(2);
  }

  @Test
  void aCommandWithoutTheTokenIsRefused() {
    Result noToken =
        runRaw(
            "ha",
            "reset",
            "--api",
            cluster.api(1),
            "--config",
            dir.resolve("missing.hcl").toString());
    assertThat(noToken.exit).isNotZero();
  }

  @Test
  void aDaemonThatIsNotRunningGivesOneClearLineAndExitOne() throws Exception {
    int unused = io.flywall.testing.FreePorts.tcp();
    Result down = runRaw("ha", "status", "--api", "http://127.0.0.1:" + unused);
    assertThat(down.exit).isEqualTo(1);
    assertThat(down.err.strip().lines()).hasSize(1);
    assertThat(down.err).contains("cannot reach the daemon");
  }

  @Test
  void monitorStreamsHeartbeatsWithRtt() {
    StringWriter out = new StringWriter();
    Thread monitor =
        new Thread(
            () -> {
              CommandLine cli = Main.commandLine();
              cli.setOut(new PrintWriter(out, true));
              cli.setErr(new PrintWriter(new StringWriter(), true));
              cli.execute("ha", "monitor", "--api", cluster.api(1));
            },
            "monitor-test");
    monitor.setDaemon(true);
    monitor.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> out.toString().contains("heartbeat") && out.toString().contains("peer=node2"));
    assertThat(out.toString()).contains("rtt_ms=");
  }

  @Test
  void completionAndManualAreGeneratedFromTheCommandModel() {
    Result completion = runRaw("completion");
    assertThat(completion.exit).isZero();
    assertThat(completion.out).contains("complete -F").contains("failover").contains("failback");
    Result manual = runRaw("manual");
    assertThat(manual.out)
        .contains("flywall ha failover")
        .contains("--to=NODE")
        .contains("flywall config check");
  }
}
