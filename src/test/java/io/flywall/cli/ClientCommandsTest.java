package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.testing.HandoverTargets;
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

  /**
   * The node that is backup now (waiting for one): with 300 ms failure timeouts on a loaded machine
   * the role can move between tests, so tests that need "the backup" ask.
   */
  static int backup() {
    int[] found = new int[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (int node = 1; node <= 2; node++) {
                if (api(node, "/api/ha/status").path("role").asText().equals("backup")
                    && api(3 - node, "/api/ha/status").path("role").asText().equals("primary")) {
                  found[0] = node;
                  return true;
                }
              }
              return false;
            });
    return found[0];
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
        .contains("primary")
        .contains("IN SYNC");
    // The primary sees its replica come in sync: what makes it a handover target.
    int primary = 3 - backup();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> HandoverTargets.shows(api(primary, "/api/ha/cluster"), "node" + (3 - primary)));
    Result history = run(1, "ha", "history", "--limit", "1", "--json");
    assertThat(history.exit).isZero();
    assertThat(JSON.readTree(history.out).path("events").size()).isEqualTo(1);
    assertThat(run(1, "ha", "history", "--limit", "0").exit).isEqualTo(2);
  }

  @Test
  void refusedCommandsExitSixWithTheClustersReason() {
    Result failover = run(backup(), "ha", "failover");
    assertThat(failover.exit).isEqualTo(ExitCode.CONFLICT).isEqualTo(6);
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
  void aCommandWithoutTheTokenIsRefused() throws Exception {
    Path config = dir.resolve("no-token.hcl");
    java.nio.file.Files.writeString(
        config,
        "replication {\n  mode = \"replica\"\n}\napi {\n  token_file = \""
            + dir.resolve("never-made.token")
            + "\"\n}\n");
    Result noToken = runRaw("ha", "reset", "--api", cluster.api(1), "--config", config.toString());
    assertThat(noToken.exit).isEqualTo(ExitCode.NOT_AUTHORIZED);
    assertThat(noToken.err).contains("no API token");
    Result missingConfig = runRaw("ha", "reset", "--config", dir.resolve("missing.hcl").toString());
    assertThat(missingConfig.exit).isEqualTo(ExitCode.USAGE);
    assertThat(missingConfig.err).contains("does not exist");
  }

  @Test
  void anApiUrlWithoutHttpSchemeSaysWhatItNeedsInOneLine() {
    for (String bad : List.of("127.0.0.1:18080", "ftp://x", "http://127.0.0.1", "not a url")) {
      Result r = runRaw("ha", "status", "--api", bad);
      assertThat(r.exit).as(bad).isEqualTo(ExitCode.USAGE);
      assertThat(r.err.strip().lines()).as(bad).hasSize(1);
      assertThat(r.err)
          .as(bad)
          .contains("the API URL needs http://HOST:PORT")
          .doesNotContain("Exception")
          .doesNotContain("Usage:");
    }
    assertThat(ClientOptions.parseApiUrl("http://127.0.0.1:8080/"))
        .isEqualTo(URI.create("http://127.0.0.1:8080"));
  }

  @Test
  void exitCodesTellAWrongTokenAMissingThingAndAConflictApart() throws Exception {
    Path wrong = dir.resolve("wrong.token");
    java.nio.file.Files.writeString(wrong, "x".repeat(64));
    Result unauthorized =
        runRaw("ha", "reset", "--api", cluster.api(1), "--token-file", wrong.toString());
    assertThat(unauthorized.exit).as(unauthorized.err).isEqualTo(ExitCode.NOT_AUTHORIZED);

    Result notFound = run(1, "state", "get", "no_such_bucket", "no_such_key");
    assertThat(notFound.exit).as(notFound.err).isEqualTo(ExitCode.NOT_FOUND);

    Result conflict = run(backup(), "ha", "failover");
    assertThat(conflict.exit).isEqualTo(ExitCode.CONFLICT);

    assertThat(
            java.util.Set.of(
                ExitCode.FAILED,
                ExitCode.USAGE,
                ExitCode.UNREACHABLE,
                ExitCode.NOT_AUTHORIZED,
                ExitCode.NOT_FOUND,
                ExitCode.CONFLICT))
        .hasSize(6);
  }

  @Test
  void readOnlyCommandsIgnoreAMissingOrMalformedTokenFile() throws Exception {
    Path malformed = dir.resolve("malformed.token");
    java.nio.file.Files.writeString(malformed, "short\n");
    for (String tokenFile : List.of(malformed.toString(), dir.resolve("absent").toString())) {
      Result status = runRaw("ha", "status", "--api", cluster.api(1), "--token-file", tokenFile);
      assertThat(status.exit).as(status.err).isZero();
      assertThat(status.out).contains("Node:      node1");
    }
    Result write =
        runRaw("ha", "reset", "--api", cluster.api(1), "--token-file", malformed.toString());
    assertThat(write.exit).isEqualTo(ExitCode.NOT_AUTHORIZED);
    assertThat(write.err).contains("holds no usable token");
  }

  @Test
  void aConfigWithAnErrorOutsideItsApiBlockStillReachesTheDaemonWithAWarning() throws Exception {
    Path config = dir.resolve("bad-edit.hcl");
    java.nio.file.Files.writeString(
        config,
        """
        replication {
          mode = "replica"
          priorty = 5
        }
        api {
          listen = "127.0.0.1:%d"
          token_file = "%s"
        }
        """
            .formatted(cluster.apiPorts.get(0), cluster.tokenFiles.get(0)));
    Result status = runRaw("ha", "status", "--config", config.toString());
    assertThat(status.exit).as(status.err).isZero();
    assertThat(status.out).contains("Node:      node1");
    assertThat(status.err).contains("warning").contains("config check");

    Result write = runRaw("ha", "reset", "--config", config.toString());
    assertThat(write.exit).as(write.err).isZero();

    Path broken = dir.resolve("bad-api.hcl");
    java.nio.file.Files.writeString(
        broken, "replication {\n  mode = \"replica\"\n}\napi {\n  listen = 8080\n}\n");
    Result refused = runRaw("ha", "status", "--config", broken.toString());
    assertThat(refused.exit).isEqualTo(ExitCode.USAGE);
    assertThat(refused.err).contains("bad-api.hcl:5:").contains("--api URL");
  }

  @Test
  void theHelpAndTheManPageListTheExitCodes() {
    Result help = runRaw("ha", "status", "--help");
    assertThat(help.out).contains("Exit status:");
    for (String line : ExitCode.HELP) {
      String code = line.substring(0, line.indexOf(':'));
      assertThat(help.out).containsPattern("(?m)^\\s+" + code + "\\s");
    }
    Result man = runRaw("manual", "--roff");
    assertThat(man.out).contains("EXIT STATUS").contains("not in api.allow");
  }

  @Test
  void aDaemonThatIsNotRunningGivesOneClearLineAndExitThree() throws Exception {
    int unused = io.flywall.testing.FreePorts.tcp();
    Result down = runRaw("ha", "status", "--api", "http://127.0.0.1:" + unused);
    assertThat(down.exit).isEqualTo(ExitCode.UNREACHABLE).isEqualTo(3);
    assertThat(down.err.strip().lines()).hasSize(1);
    assertThat(down.err).contains("cannot reach the daemon");
  }

  @Test
  void aBackupGoesStandbyShowsItInStatusAndClusterAndComesBack() throws Exception {
    int b = backup();
    int p = 3 - b;
    Result standby = run(b, "ha", "standby");
    assertThat(standby.exit).as(standby.err).isZero();
    assertThat(standby.out).contains("in standby");
    try {
      assertThat(api(b, "/api/ha/status").path("standby").asBoolean()).isTrue();
      assertThat(run(b, "ha", "status").out).contains("Standby:   yes");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> run(p, "ha", "cluster").out.contains("backup (standby)"));
      JsonNode peer = api(p, "/api/ha/cluster").path("nodes").get(1);
      assertThat(peer.path("node_id").asText()).isEqualTo("node" + b);
      assertThat(peer.path("standby").asBoolean()).isTrue();

      // The primary cannot hand over to a node in standby.
      Result failover = run(p, "ha", "failover", "--to", "node" + b);
      assertThat(failover.exit).isEqualTo(ExitCode.CONFLICT);
      assertThat(failover.err).contains("node" + b + " is in standby");

      // The primary, asked from here, refuses: the only other node is in standby. It stays so.
      Result elsewhere = run(b, "ha", "standby", "node" + p);
      assertThat(elsewhere.exit).as(elsewhere.err).isEqualTo(ExitCode.CONFLICT);
      assertThat(elsewhere.err).contains("node" + p + " did not show standby");
      assertThat(api(p, "/api/ha/status").path("standby").asBoolean()).isFalse();
    } finally {
      Result back = run(b, "ha", "unstandby", "node" + b);
      assertThat(back.exit).as(back.err).isZero();
    }
    assertThat(api(b, "/api/ha/status").path("standby").asBoolean()).isFalse();
  }

  @Test
  void tablesShowHumanTimesWrapLongCausesAndNeverRawJson() {
    Result status = run(1, "ha", "status");
    assertThat(status.out)
        .containsPattern("Role: +primary since \\d{4}-\\d\\d-\\d\\d [0-9:]{8}Z \\(.* ago\\)");
    Result history = run(1, "ha", "history");
    assertThat(history.out).contains(" ago)");
    assertThat(history.out.lines()).allMatch(l -> l.length() < 200, "lines under 200 characters");
    Result stats = run(1, "replication", "stats");
    assertThat(stats.exit).isZero();
    assertThat(stats.out).doesNotContain("{").doesNotContain("}");
  }

  @Test
  void monitorWithJsonPrintsOnlyJsonLinesOnStdoutAndTheBannerOnStderr() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Thread monitor =
        new Thread(
            () -> {
              CommandLine cli = Main.commandLine();
              cli.setOut(new PrintWriter(out, true));
              cli.setErr(new PrintWriter(err, true));
              cli.execute("ha", "monitor", "--json", "--api", cluster.api(1));
            },
            "monitor-json-test");
    monitor.setDaemon(true);
    monitor.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().lines().count() >= 2);
    assertThat(err.toString()).contains("Monitoring " + cluster.api(1));
    List<String> lines = out.toString().lines().limit(2).toList();
    for (String line : lines) {
      assertThat(JSON.readTree(line).isObject()).as(line).isTrue();
    }
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
