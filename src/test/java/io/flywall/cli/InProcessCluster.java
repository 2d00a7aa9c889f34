package io.flywall.cli;

import io.flywall.config.ConfigLoader;
import io.flywall.config.FlywallConfig;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.VipGroup;
import io.flywall.node.Daemon;
import io.flywall.node.FailoverScripts;
import io.flywall.testing.FreePorts;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Real nodes (no VIPs) in this JVM on 127.0.0.1, 127.0.0.2, ..., each with its own API: two unless
 * asked for more.
 */
final class InProcessCluster implements AutoCloseable {
  final List<Daemon> daemons = new ArrayList<>();
  final List<Integer> apiPorts = new ArrayList<>();
  final List<Path> tokenFiles = new ArrayList<>();
  final int heartbeatPort;
  private final List<FlywallConfig> configs = new ArrayList<>();
  private final Daemon[] running;

  /**
   * Both nodes, started, with manual failback.
   *
   * @param firstApiPort the API port of node 1 (0 for any free port)
   */
  InProcessCluster(Path dir, int firstApiPort) throws Exception {
    this(dir, firstApiPort, node -> "failback_mode = \"manual\"");
    start(1);
    start(2);
  }

  /**
   * Both nodes configured, none started ({@link #start}); node i has priority 50 * i and the lines
   * {@code haExtra.apply(i)} in its {@code ha} block.
   */
  InProcessCluster(Path dir, int firstApiPort, IntFunction<String> haExtra) throws Exception {
    this(dir, 2, firstApiPort, haExtra);
  }

  /** {@code nodes} nodes configured, none started; otherwise as above. */
  InProcessCluster(Path dir, int nodes, int firstApiPort, IntFunction<String> haExtra)
      throws Exception {
    running = new Daemon[nodes];
    List<String> hosts = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      hosts.add("127.0.0." + i);
    }
    heartbeatPort = FreePorts.udpOnAll(hosts, System.nanoTime());
    int replicationPort = FreePorts.tcpOnAll(hosts, System.nanoTime());
    for (int i = 1; i <= nodes; i++) {
      int api = i == 1 && firstApiPort > 0 ? firstApiPort : FreePorts.tcp();
      while (apiPorts.contains(api) || api == replicationPort) {
        // Free now is not yet taken: two picks before any node starts can name the same port.
        api = FreePorts.tcp();
      }
      int self = i;
      // Two nodes name each other as the guide does (peer_addr); more list every other node.
      String peers =
          nodes == 2
              ? "peer_addr = \"127.0.0.%d:%d\"".formatted(3 - i, heartbeatPort)
              : "peer_addrs = ["
                  + hosts.stream()
                      .filter(h -> !h.equals("127.0.0." + self))
                      .map(h -> "\"" + h + ":" + replicationPort + "\"")
                      .collect(java.util.stream.Collectors.joining(", "))
                  + "]";
      String text =
          """
          replication {
            mode = "replica"
            node_id = "node%d"
            listen_addr = "127.0.0.%d:%d"
            %s
            secret_key = "in-process-cluster-secret-0123456789"
            state_dir = "%s"
            ha {
              priority = %d
              heartbeat_interval = "100ms"
              failure_threshold = 3
              heartbeat_port = %d
              %s
            }
          }
          api {
            listen = "127.0.0.1:%d"
          }
          """
              .formatted(
                  i,
                  i,
                  replicationPort,
                  peers,
                  dir.resolve("node" + i),
                  50 * i,
                  heartbeatPort,
                  haExtra.apply(i),
                  api);
      configs.add(new ConfigLoader(() -> "unused").parse("node" + i + ".hcl", text).config());
      apiPorts.add(api);
      tokenFiles.add(dir.resolve("node" + i + "/api.token"));
    }
  }

  /** Starts node {@code node} (1-based). */
  void start(int node) throws Exception {
    Daemon daemon =
        Daemon.start(
            configs.get(node - 1),
            Clock.systemUTC(),
            new Daemon.Effects(
                VipGroup.none(), FailoverScripts.none(), new ProcessCommandRunner()));
    running[node - 1] = daemon;
    daemons.add(daemon);
  }

  /** Stops node {@code node} as SIGTERM would (a primary hands over first). */
  void stop(int node) {
    Daemon daemon = running[node - 1];
    if (daemon != null) {
      running[node - 1] = null;
      daemons.remove(daemon);
      daemon.close();
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
