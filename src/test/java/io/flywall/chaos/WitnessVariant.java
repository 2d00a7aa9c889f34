package io.flywall.chaos;

import io.flywall.cluster.ClusterKeys;
import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.testing.FlywallProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The two-node variant: n1 and n2 are firewalls, the lab's third namespace runs only a witness on
 * the sync network (the third voter, so that quorum is a majority of three).
 */
final class WitnessVariant implements AutoCloseable {
  private final Process witness;

  private WitnessVariant(Process witness) {
    this.witness = witness;
  }

  /** Rewrites n1's and n2's configs for two peers and a witness, and starts the witness in n3. */
  static WitnessVariant start(NetLab lab, LabCluster cluster, Path dir) throws IOException {
    String witnessIp = lab.get("N3_SYNC_IP");
    for (int k = 1; k <= 2; k++) {
      String other = lab.get("N" + (3 - k) + "_SYNC_IP");
      String config =
          Files.readString(cluster.config(k))
              .replaceFirst("peer_addrs = \\[[^]]*]", "peer_addrs = [\"" + other + ":9001\"]")
              .replaceFirst(
                  "enabled = true",
                  "enabled = true\n    witness_addr = \"" + witnessIp + ":9002\"");
      Files.writeString(cluster.config(k), config);
    }
    Path config =
        Files.writeString(
            dir.resolve("witness.hcl"),
            """
            replication {
              mode = "standalone"
              node_id = "witness"
              listen_addr = "%s:9001"
              peer_addrs = ["%s:9001", "%s:9001"]
              witness_key = "%s"
              state_dir = "%s"
              ha {
                heartbeat_interval = "200ms"
                failure_threshold = 3
              }
            }
            """
                .formatted(
                    witnessIp,
                    lab.get("N1_SYNC_IP"),
                    lab.get("N2_SYNC_IP"),
                    ClusterKeys.fromSecret(LabCluster.SECRET).witnessKeyText(),
                    dir.resolve("witness")));
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.nodeNamespace(3)));
    command.addAll(FlywallProcess.javaCommand());
    command.addAll(List.of("witness", "--config", config.toString()));
    Process witness =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("witness.log").toFile())
            .start();
    return new WitnessVariant(witness);
  }

  @Override
  public void close() throws InterruptedException {
    witness.destroyForcibly();
    witness.waitFor(10, TimeUnit.SECONDS);
  }
}
