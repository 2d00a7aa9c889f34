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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * DESIGN 10.6 {@code flywall ha standby [NODE]} for another node: three real nodes in this JVM; the
 * request travels in heartbeats, that node applies and persists it, and every node shows it.
 */
class RemoteStandbyTest {
  @TempDir Path dir;
  private InProcessCluster cluster;
  private static final ObjectMapper JSON = new ObjectMapper();

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private record Result(int exit, String out, String err) {}

  private Result run(int node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--api",
            cluster.api(node),
            "--token-file",
            cluster.tokenFiles.get(node - 1).toString()));
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  private JsonNode api(int node, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(cluster.api(node) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private String role(int node) throws Exception {
    return api(node, "/api/ha/status").path("role").asText();
  }

  /**
   * Three nodes (node1 preferred), manual failback, node1 primary and the others alive to it and in
   * sync (a primary hands over only to an in-sync node, so before that it rightly refuses standby).
   */
  private void startThree() throws Exception {
    cluster = new InProcessCluster(dir, 3, 0, node -> "failback_mode = \"manual\"");
    for (int node = 1; node <= 3; node++) {
      cluster.start(node);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                role(1).equals("primary")
                    && role(2).equals("backup")
                    && role(3).equals("backup")
                    && api(3, "/api/ha/cluster").toString().contains("\"node_id\":\"node1\"")
                    && api(2, "/api/replication/status")
                        .path("sync_state")
                        .asText()
                        .equals("in_sync")
                    && api(3, "/api/replication/status")
                        .path("sync_state")
                        .asText()
                        .equals("in_sync")
                    // node1 decides a handover on what it heard in their heartbeats.
                    && HandoverTargets.shows(api(1, "/api/ha/cluster"), "node2")
                    && HandoverTargets.shows(api(1, "/api/ha/cluster"), "node3"));
  }

  @Test
  void aPrimaryPutInStandbyFromAnotherNodeHandsOverPersistsItAndComesBackWhenAskedElsewhere()
      throws Exception {
    startThree();

    Result standby = run(3, "ha", "standby", "node1");
    assertThat(standby.exit).as(standby.err).isZero();
    assertThat(standby.out).contains("node1 is in standby (asked on node3)");
    // The answer came once node1 showed it: it is already so on node1 itself.
    assertThat(api(1, "/api/ha/status").path("standby").asBoolean()).isTrue();
    // Handed over to whichever of the others was eligible (in sync) first.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> role(2).equals("primary") || role(3).equals("primary"));
    assertThat(role(1)).isEqualTo("backup");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> run(2, "ha", "cluster").out.contains("backup (standby)"));
    assertThat(run(1, "ha", "history").out).contains("operator standby (asked on node3)");

    // Persisted by node1: a restart keeps it out of the running.
    cluster.stop(1);
    cluster.start(1);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> api(1, "/api/ha/status").path("role").asText().equals("backup"));
    assertThat(api(1, "/api/ha/status").path("standby").asBoolean()).isTrue();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> api(2, "/api/ha/cluster").toString().contains("\"standby\":true"));
    Result back = run(2, "ha", "unstandby", "node1");
    assertThat(back.exit).as(back.err).isZero();
    assertThat(back.out).contains("node1 is out of standby (asked on node2)");
    assertThat(api(1, "/api/ha/status").path("standby").asBoolean()).isFalse();
  }

  @Test
  void standbyOfANodeThatIsNotAliveIsRefusedWithExitSix() throws Exception {
    startThree();
    cluster.stop(3);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (JsonNode n : api(1, "/api/ha/cluster").path("nodes")) {
                if (n.path("node_id").asText().equals("node3")) {
                  return !n.path("alive").asBoolean();
                }
              }
              return false;
            });

    Result refused = run(1, "ha", "standby", "node3");
    assertThat(refused.exit).isEqualTo(ExitCode.CONFLICT);
    assertThat(refused.err).contains("standby of node3 refused").contains("not alive here");
    assertThat(api(1, "/api/ha/status").path("standby").asBoolean()).isFalse();
  }
}
