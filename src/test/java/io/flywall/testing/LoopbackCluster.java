package io.flywall.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * N real {@code flywall run} processes on 127.0.0.1, 127.0.0.2, ... (all of 127/8 is loopback),
 * sharing one heartbeat port, each with its own API port and state directory.
 */
public final class LoopbackCluster implements AutoCloseable {
  public static final String SECRET = "loopback-cluster-secret-0123456789";

  private final Path dir;
  private final List<FlywallProcess> nodes = new ArrayList<>();
  private final List<Path> configs = new ArrayList<>();
  private final List<URI> apis = new ArrayList<>();

  /**
   * @param priorities one per node; node i is "node{i+1}" on 127.0.0.{i+1}
   * @param haExtra extra lines inside every node's {@code ha} block
   */
  public LoopbackCluster(Path dir, List<Integer> priorities, String haExtra) throws IOException {
    this(dir, priorities, haExtra, "");
  }

  /**
   * @param replicationExtra extra lines inside every node's {@code replication} block (sync_mode
   *     ...)
   */
  public LoopbackCluster(
      Path dir, List<Integer> priorities, String haExtra, String replicationExtra)
      throws IOException {
    this.dir = dir;
    int n = priorities.size();
    List<String> hosts = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      hosts.add("127.0.0." + i);
    }
    int heartbeatPort = FreePorts.udpOnAll(hosts, System.nanoTime());
    // Replication listens on TCP: a port free on every host, so concurrent test runs do not
    // collide.
    int replicationPort = FreePorts.tcpOnAll(hosts, System.nanoTime());
    List<Integer> apiPorts = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      int index = i;
      String peers =
          hosts.stream()
              .filter(h -> !h.equals("127.0.0." + index))
              .map(h -> "\"" + h + ":" + replicationPort + "\"")
              .collect(Collectors.joining(", "));
      int apiPort = FreePorts.tcp();
      // Free now is not yet taken: two picks before any node starts can name the same port.
      while (apiPorts.contains(apiPort) || apiPort == replicationPort) {
        apiPort = FreePorts.tcp();
      }
      apiPorts.add(apiPort);
      Path state = dir.resolve("state" + i);
      String config =
          """
          replication {
            mode = "replica"
            node_id = "node%d"
            listen_addr = "127.0.0.%d:%d"
            peer_addrs = [%s]
            secret_key = "%s"
            state_dir = "%s"
          %s
            ha {
              enabled = true
              priority = %d
              heartbeat_interval = "200ms"
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
                  SECRET,
                  state,
                  replicationExtra,
                  priorities.get(i - 1),
                  heartbeatPort,
                  haExtra,
                  apiPort);
      Path file = dir.resolve("node" + i + ".hcl");
      Files.writeString(file, config);
      configs.add(file);
      URI api = URI.create("http://127.0.0.1:" + apiPort);
      apis.add(api);
      nodes.add(
          new FlywallProcess(
              "node" + i,
              dir.resolve("node" + i + ".log"),
              api,
              List.of(),
              "run",
              "--config",
              file.toString()));
    }
  }

  public LoopbackCluster startAll() throws IOException {
    for (FlywallProcess node : nodes) {
      node.start();
    }
    return this;
  }

  public FlywallProcess node(int oneBased) {
    return nodes.get(oneBased - 1);
  }

  public Path config(int oneBased) {
    return configs.get(oneBased - 1);
  }

  public URI api(int oneBased) {
    return apis.get(oneBased - 1);
  }

  /** Restarts a stopped or killed node with the same config and state directory. */
  public void restart(int oneBased) throws IOException, InterruptedException {
    FlywallProcess old = nodes.get(oneBased - 1);
    old.kill();
    FlywallProcess fresh =
        new FlywallProcess(
            old.name(),
            dir.resolve(old.name() + ".log"),
            apis.get(oneBased - 1),
            List.of(),
            "run",
            "--config",
            configs.get(oneBased - 1).toString());
    nodes.set(oneBased - 1, fresh.start());
  }

  /** Role of every running node that answers, by name. */
  public Map<String, String> roles() {
    Map<String, String> roles = new java.util.TreeMap<>();
    for (FlywallProcess node : nodes) {
      if (node.alive()) {
        node.role().ifPresent(role -> roles.put(node.name(), role));
      }
    }
    return roles;
  }

  /** The single primary among the running nodes, if exactly one claims it. */
  public Optional<String> soloPrimary() {
    List<String> primaries =
        roles().entrySet().stream()
            .filter(e -> e.getValue().equals("primary"))
            .map(Map.Entry::getKey)
            .collect(Collectors.toList());
    return primaries.size() == 1 ? Optional.of(primaries.get(0)) : Optional.empty();
  }

  public String logs() {
    StringBuilder all = new StringBuilder();
    for (FlywallProcess node : nodes) {
      all.append("---- ")
          .append(node.name())
          .append(" ----\n")
          .append(node.logTail(40))
          .append('\n');
    }
    return all.toString();
  }

  @Override
  public void close() throws InterruptedException {
    for (FlywallProcess node : nodes) {
      node.kill();
    }
  }
}
