package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.flywall.cluster.ClusterKeys;
import io.flywall.testing.FlywallProcess;
import io.flywall.testing.FreePorts;
import io.flywall.testing.ProcessLogs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A two-node cluster with {@code witness_addr} has a majority: the witness is the third voter. The
 * witness holds only its witness key, not the cluster's secret.
 */
class WitnessIT {
  private static final String SECRET = "witness-cluster-secret-0123456789";
  private static final Duration LIMIT = Duration.ofSeconds(20);

  private FlywallProcess node1;
  private FlywallProcess node2;
  private FlywallProcess witness;

  @AfterEach
  void stop() throws Exception {
    for (FlywallProcess p : new FlywallProcess[] {node1, node2, witness}) {
      if (p != null) {
        System.out.println("---- " + p.name() + " ----\n" + p.logTail(30));
        p.kill();
      }
    }
  }

  @Test
  void aTwoNodeClusterKeepsAPrimaryWithTheWitnessAndSelfFencesWithoutIt() throws Exception {
    Path dir = ProcessLogs.freshDirectory("witness");
    int heartbeat =
        FreePorts.udpOnAll(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"), System.nanoTime());
    node1 = node(dir, 1, heartbeat);
    node2 = node(dir, 2, heartbeat);
    Path witnessConfig =
        Files.writeString(
            dir.resolve("witness.hcl"),
            """
        replication {
          mode = "standalone"
          node_id = "witness"
          listen_addr = "127.0.0.3:%d"
          peer_addrs = ["127.0.0.1:9001", "127.0.0.2:9001"]
          witness_key = "%s"
          state_dir = "%s"
          ha {
            heartbeat_interval = "200ms"
            heartbeat_port = %d
          }
        }
        """
                .formatted(
                    FreePorts.tcp(),
                    ClusterKeys.fromSecret(SECRET).witnessKeyText(),
                    dir.resolve("witness"),
                    heartbeat));
    witness =
        new FlywallProcess(
                "witness",
                dir.resolve("witness.log"),
                URI.create("http://127.0.0.1:1"),
                List.of(),
                "witness",
                "--config",
                witnessConfig.toString())
            .start();
    node1.start();
    node2.start();

    await()
        .atMost(LIMIT)
        .until(
            () ->
                node1.role().equals(Optional.of("primary"))
                    || node2.role().equals(Optional.of("primary")));
    FlywallProcess primary = node1.role().equals(Optional.of("primary")) ? node1 : node2;
    FlywallProcess other = primary == node1 ? node2 : node1;
    await()
        .atMost(LIMIT)
        .until(
            () ->
                primary
                    .get("/api/ha/status")
                    .map(s -> s.path("quorum").path("visible").asInt() == 3)
                    .orElse(false));
    JsonNode cluster = primary.get("/api/ha/cluster").orElseThrow();
    assertThat(cluster.path("nodes").findValuesAsText("role")).contains("witness");
    assertThat(primary.get("/api/ha/status").orElseThrow().path("quorum").path("required").asInt())
        .isEqualTo(2);

    // The other node goes: the primary still sees 2 of 3 voters (itself and the witness) and stays.
    other.kill();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> primary.role().equals(Optional.of("primary")));

    // The witness goes too: 1 of 3 is no majority, so the primary fences itself.
    witness.kill();
    await().atMost(LIMIT).until(() -> primary.role().equals(Optional.of("backup")));
    assertThat(
            primary
                .get("/api/ha/status")
                .orElseThrow()
                .path("quorum")
                .path("has_quorum")
                .asBoolean())
        .isFalse();
  }

  private static FlywallProcess node(Path dir, int i, int heartbeat) throws Exception {
    int api = FreePorts.tcp();
    Path config =
        Files.writeString(
            dir.resolve("node" + i + ".hcl"),
            """
        replication {
          mode = "replica"
          node_id = "node%d"
          listen_addr = "127.0.0.%d:%d"
          peer_addr = "127.0.0.%d:%d"
          secret_key = "%s"
          state_dir = "%s"
          ha {
            priority = %d
            heartbeat_interval = "200ms"
            failure_threshold = 3
            heartbeat_port = %d
            quorum = "majority"
            witness_addr = "127.0.0.3:%d"
          }
        }
        api {
          listen = "127.0.0.1:%d"
        }
        """
                .formatted(
                    i,
                    i,
                    FreePorts.tcp(),
                    3 - i,
                    heartbeat,
                    SECRET,
                    dir.resolve("node" + i),
                    50 * i,
                    heartbeat,
                    heartbeat,
                    api));
    return new FlywallProcess(
        "node" + i,
        dir.resolve("node" + i + ".log"),
        URI.create("http://127.0.0.1:" + api),
        List.of(),
        "run",
        "--config",
        config.toString());
  }
}
