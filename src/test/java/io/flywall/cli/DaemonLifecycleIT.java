package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.testing.FlywallProcess;
import io.flywall.testing.FreePorts;
import io.flywall.testing.HandoverTargets;
import io.flywall.testing.ProcessLogs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged daemon's life as systemd and an operator see it: one daemon per state directory, and
 * a clean stop that exits 0 with a last line saying how the role ended.
 */
class DaemonLifecycleIT {
  private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2");

  /** Two nodes on 127.0.0.1 and 127.0.0.2 (no VIPs); returns the config files. */
  private static List<Path> twoNodes(Path dir) throws Exception {
    int heartbeat = FreePorts.udpOnAll(HOSTS, System.nanoTime());
    int replication = FreePorts.tcpOnAll(HOSTS, System.nanoTime());
    List<Path> configs = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      configs.add(
          Files.writeString(
              dir.resolve("node" + i + ".hcl"),
              """
              replication {
                mode = "replica"
                node_id = "node%d"
                listen_addr = "127.0.0.%d:%d"
                peer_addrs = ["127.0.0.%d:%d"]
                secret_key = "daemon-lifecycle-secret-0123456789abcdef"
                state_dir = "%s"
                ha {
                  priority = %d
                  heartbeat_interval = "200ms"
                  startup_hold = "1s"
                  heartbeat_port = %d
                }
              }
              api {
                listen = "127.0.0.1:%d"
              }
              """
                  .formatted(
                      i,
                      i,
                      replication,
                      3 - i,
                      replication,
                      dir.resolve("state" + i),
                      50 * i,
                      heartbeat,
                      FreePorts.tcp())));
    }
    return configs;
  }

  private static URI apiOf(Path config) throws Exception {
    String text = Files.readString(config);
    int at = text.indexOf("listen = \"127.0.0.1:") + "listen = \"".length();
    return URI.create("http://" + text.substring(at, text.indexOf('"', at)));
  }

  private static FlywallProcess daemon(Path dir, String name, Path config) throws Exception {
    return new FlywallProcess(
            name,
            Files.createFile(dir.resolve(name + ".log")),
            apiOf(config),
            List.of(),
            "run",
            "--config",
            config.toString())
        .start();
  }

  private static String lastLine(FlywallProcess process) {
    return process.logTail(1);
  }

  @Test
  void aSecondDaemonOnTheSameStateDirectoryIsRefusedNamingThePidOfTheFirst() throws Exception {
    Path dir = ProcessLogs.freshDirectory("lifecycle-lock");
    Path config = twoNodes(dir).get(0);
    try (FlywallProcess first = daemon(dir, "first", config)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.role().isPresent() || !first.alive());
      List<String> command = new ArrayList<>(FlywallProcess.javaCommand());
      command.addAll(List.of("run", "--config", config.toString()));
      Process second = new ProcessBuilder(command).redirectErrorStream(true).start();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = new String(second.getInputStream().readAllBytes());
      assertThat(second.exitValue()).as(output).isEqualTo(1);
      assertThat(output).contains("already running (pid " + first.pid() + ")");
      assertThat(first.alive()).as("the first daemon is untouched").isTrue();
      assertThat(first.role()).isPresent();
    }
  }

  @Test
  void sigtermExitsZeroAndTheLastLineSaysWhoTookOverAndStopped() throws Exception {
    Path dir = ProcessLogs.freshDirectory("lifecycle-sigterm");
    List<Path> configs = twoNodes(dir);
    try (FlywallProcess node1 = daemon(dir, "node1", configs.get(0));
        FlywallProcess node2 = daemon(dir, "node2", configs.get(1))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  node1.role().equals(Optional.of("primary"))
                      && node2.role().equals(Optional.of("backup"))
                      // A replica not yet in sync is no handover target, and the primary
                      // must have heard so in node2's heartbeats, not only node2 know it.
                      && node1
                          .get("/api/ha/cluster")
                          .map(c -> HandoverTargets.shows(c, "node2"))
                          .orElse(false));

      node1.stop();
      assertThat(node1.exitValue()).as(node1.logTail(20)).isEqualTo(0);
      assertThat(lastLine(node1)).contains("handed over to node2; stopped");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> node2.role().equals(Optional.of("primary")));

      node2.stop();
      assertThat(node2.exitValue()).as(node2.logTail(20)).isEqualTo(0);
      assertThat(lastLine(node2)).contains("no peer to hand over to").endsWith("stopped");
    }
  }

  @Test
  void sigintStopsLikeSigtermWithExitZero() throws Exception {
    Path dir = ProcessLogs.freshDirectory("lifecycle-sigint");
    Path config = twoNodes(dir).get(0);
    try (FlywallProcess node = daemon(dir, "node1", config)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> node.role().isPresent());
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(node.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> !node.alive());
      assertThat(node.exitValue()).as(node.logTail(20)).isEqualTo(0);
      assertThat(lastLine(node)).contains("node node1: ").endsWith("stopped");
    }
  }
}
