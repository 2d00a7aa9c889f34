package io.flywall.cli;

import io.flywall.config.ConfigLoader;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.VipGroup;
import io.flywall.node.Daemon;
import io.flywall.node.FailoverScripts;
import io.flywall.testing.FreePorts;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Two real nodes (no VIPs) in this JVM on 127.0.0.1 and 127.0.0.2, each with its own API. */
final class InProcessCluster implements AutoCloseable {
  final List<Daemon> daemons = new ArrayList<>();
  final List<Integer> apiPorts = new ArrayList<>();
  final List<Path> tokenFiles = new ArrayList<>();

  /**
   * @param firstApiPort the API port of node 1 (0 for any free port)
   */
  InProcessCluster(Path dir, int firstApiPort) throws Exception {
    int heartbeat = FreePorts.udpOnAll(List.of("127.0.0.1", "127.0.0.2"), System.nanoTime());
    for (int i = 1; i <= 2; i++) {
      int api = i == 1 && firstApiPort > 0 ? firstApiPort : FreePorts.tcp();
      String text =
          """
          replication {
            mode = "replica"
            node_id = "node%d"
            listen_addr = "127.0.0.%d:9001"
            peer_addr = "127.0.0.%d:%d"
            secret_key = "in-process-cluster-secret-0123456789"
            state_dir = "%s"
            ha {
              priority = %d
              heartbeat_interval = "100ms"
              failure_threshold = 3
              heartbeat_port = %d
              failback_mode = "manual"
            }
          }
          api {
            listen = "127.0.0.1:%d"
          }
          """
              .formatted(i, i, 3 - i, heartbeat, dir.resolve("node" + i), 50 * i, heartbeat, api);
      var config = new ConfigLoader(() -> "unused").parse("node" + i + ".hcl", text).config();
      daemons.add(
          Daemon.start(
              config,
              Clock.systemUTC(),
              new Daemon.Effects(
                  VipGroup.none(), FailoverScripts.none(), new ProcessCommandRunner())));
      apiPorts.add(api);
      tokenFiles.add(dir.resolve("node" + i + "/api.token"));
    }
  }

  String api(int node) {
    return "http://127.0.0.1:" + apiPorts.get(node - 1);
  }

  @Override
  public void close() {
    daemons.forEach(Daemon::close);
  }
}
