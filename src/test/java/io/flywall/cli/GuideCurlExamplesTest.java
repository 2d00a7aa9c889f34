package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.testing.HandoverTargets;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code curl} line of the guide's API section, run as written against a running node on
 * localhost:8080 (GETs without a token; POSTs with the token header added).
 */
class GuideCurlExamplesTest {
  @TempDir Path dir;

  static List<String> curlExamples(Path guide) throws IOException {
    List<String> lines = Files.readAllLines(guide, StandardCharsets.UTF_8);
    List<String> commands = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.startsWith("curl ")) {
        continue;
      }
      StringBuilder command = new StringBuilder();
      while (line.endsWith("\\")) {
        command.append(line, 0, line.length() - 1).append(' ');
        line = lines.get(++i).strip();
      }
      commands.add(command.append(line).toString());
    }
    return commands;
  }

  @Test
  void everyCurlExampleOfTheGuideSucceedsAgainstARunningNode() throws Exception {
    Path guide =
        Path.of(System.getProperty("flywall.project.dir", "."))
            .resolve("../shared/spec/high-availability-guide.md");
    Assumptions.assumeTrue(Files.exists(guide), "the guide is not beside the project at " + guide);
    Assumptions.assumeTrue(
        portFree(8080), "localhost:8080 is taken on this machine; the examples name that port");
    List<String> examples = curlExamples(guide);
    assertThat(examples).hasSizeGreaterThanOrEqualTo(8);
    try (InProcessCluster cluster = new InProcessCluster(dir, 8080)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  ClientCommandsTest.runRawFor(cluster, 1, "ha", "status")
                      .contains("Role:      primary"));
      // The failover example needs an eligible target: node2 must have caught up with node1's
      // state.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  ClientCommandsTest.runRawFor(cluster, 2, "replication", "status", "--json")
                      .contains("\"in_sync\""));
      // ... and node1 must have heard so in node2's heartbeats: its view decides a failover.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HandoverTargets.shows(
                      new ObjectMapper()
                          .readTree(
                              ClientCommandsTest.runRawFor(cluster, 1, "ha", "cluster", "--json")),
                      "node2"));
      String token = Files.readString(cluster.tokenFiles.get(0)).strip();
      for (String example : examples) {
        String command =
            example.contains("-X POST")
                ? example + " -H \"Authorization: Bearer " + token + "\""
                : example;
        Process curl =
            new ProcessBuilder("bash", "-c", command + " -s -o /dev/stderr -w '%{http_code}'")
                .start();
        assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String status =
            new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String body = new String(curl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(status).as(example + " answered " + body).startsWith("2");
        assertThat(body).as(example).startsWith("{");
      }
    }
  }

  private static boolean portFree(int port) {
    try (ServerSocket socket = new ServerSocket(port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
