package io.flywall.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.network.CommandResult;
import io.flywall.network.IprouteVipBackend;
import io.flywall.network.Vip;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Real flywall daemons in the firewall namespaces of a {@link NetLab}: node k runs in namespace
 * N{k} with heartbeats on the sync network, the LAN and WAN VIPs, and its API on the namespace's
 * own 127.0.0.1:8080. It can power nodes off and on, freeze them and cut links.
 */
public final class LabCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String SECRET = "lab-cluster-secret-0123456789abcdef";

  private final NetLab lab;
  private final Path dir;
  private final List<String> javaCommand;
  private final Settings settings;
  private final Process[] daemons;

  /** What the cluster is configured with; extra lines go into every node's {@code ha} block. */
  public record Settings(
      String heartbeatInterval,
      int failureThreshold,
      boolean arpPing,
      String failbackMode,
      String failbackDelay,
      String haExtra,
      String replicationExtra) {
    public static Settings defaults() {
      return new Settings("1s", 3, true, "auto", "30s", "", "");
    }

    public Settings withHeartbeat(String interval, int threshold) {
      return new Settings(
          interval, threshold, arpPing, failbackMode, failbackDelay, haExtra, replicationExtra);
    }

    public Settings withArpPing(boolean on) {
      return new Settings(
          heartbeatInterval,
          failureThreshold,
          on,
          failbackMode,
          failbackDelay,
          haExtra,
          replicationExtra);
    }

    public Settings withFailback(String mode, String delay) {
      return new Settings(
          heartbeatInterval, failureThreshold, arpPing, mode, delay, haExtra, replicationExtra);
    }

    public Settings withHaExtra(String lines) {
      return new Settings(
          heartbeatInterval,
          failureThreshold,
          arpPing,
          failbackMode,
          failbackDelay,
          lines,
          replicationExtra);
    }

    /** Extra lines in every node's {@code replication} block, e.g. {@code sync_mode = "sync"}. */
    public Settings withReplicationExtra(String lines) {
      return new Settings(
          heartbeatInterval,
          failureThreshold,
          arpPing,
          failbackMode,
          failbackDelay,
          haExtra,
          lines);
    }
  }

  public LabCluster(NetLab lab, Path dir, List<String> javaCommand, Settings settings)
      throws IOException {
    this.lab = lab;
    this.dir = Files.createDirectories(dir);
    this.javaCommand = List.copyOf(javaCommand);
    this.settings = settings;
    this.daemons = new Process[lab.nodes() + 1];
    for (int k = 1; k <= lab.nodes(); k++) {
      Files.writeString(config(k), configText(k));
    }
  }

  /** The java command that runs this very jar (for the demo and benchmark). */
  public static List<String> javaCommandForThisJar() {
    try {
      Path jar =
          Path.of(LabCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx160m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-jar",
          jar.toString());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path config(int k) {
    return dir.resolve("n" + k + ".hcl");
  }

  public Path log(int k) {
    return dir.resolve("n" + k + ".log");
  }

  public Path tokenFile(int k) {
    return dir.resolve("n" + k + "/api.token");
  }

  private String configText(int k) {
    String self = lab.get("N" + k + "_SYNC_IP");
    StringJoiner peers = new StringJoiner(", ");
    for (int j = 1; j <= lab.nodes(); j++) {
      if (j != k) {
        peers.add("\"" + lab.get("N" + j + "_SYNC_IP") + ":9001\"");
      }
    }
    return """
        # Node %d of lab %s (generated)
        replication {
          mode = "replica"
          node_id = "n%d"
          listen_addr = "%s:9001"
          peer_addrs = [%s]
          secret_key = "%s"
          state_dir = "%s"
        %s
          ha {
            enabled = true
            priority = %d
            heartbeat_interval = "%s"
            failure_threshold = %d
            failback_mode = "%s"
            failback_delay = "%s"
            monitor_links = ["%s", "%s"]
            virtual_ip {
              address = "%s/24"
              interface = "%s"
              arp_ping = %s
            }
            virtual_ip {
              address = "%s/24"
              interface = "%s"
              arp_ping = %s
            }
        %s
          }
        }
        api {
          listen = "127.0.0.1:8080"
        }
        """
        .formatted(
            k,
            lab.prefix(),
            k,
            self,
            peers,
            SECRET,
            dir.resolve("n" + k),
            settings.replicationExtra(),
            50 * k,
            settings.heartbeatInterval(),
            settings.failureThreshold(),
            settings.failbackMode(),
            settings.failbackDelay(),
            lab.get("LAN_IF"),
            lab.get("WAN_IF"),
            lab.get("LAN_VIP"),
            lab.get("LAN_IF"),
            settings.arpPing(),
            lab.get("WAN_VIP"),
            lab.get("WAN_IF"),
            settings.arpPing(),
            settings.haExtra());
  }

  /** Starts the daemon of node k (appending to its log). */
  public void start(int k) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.nodeNamespace(k)));
    command.addAll(javaCommand);
    command.addAll(List.of("run", "--config", config(k).toString()));
    daemons[k] =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(k).toFile()))
            .start();
  }

  /**
   * Starts every node and returns when every API answers; the scenarios start from node 1 (the
   * preferred node of the labs' configs) as primary. In a two-node lab node 1 starts first and the
   * other once node 1's API answers: with takeovers now faster than the start skew of two JVMs on a
   * busy machine, a backup that happened to come up first would claim alone before node 1 was heard
   * (the startup race that DESIGN 10.1's startup_hold addresses). With three nodes quorum already
   * forbids a lone claim, and a node 1 that sat alone would meet the stale "no quorum" flag that
   * DESIGN 10.1 also addresses, so they start together.
   */
  public void startAll() throws IOException {
    start(1);
    if (lab.nodes() == 2) {
      awaitApi(1);
    }
    for (int k = 2; k <= lab.nodes(); k++) {
      start(k);
    }
    for (int k = 1; k <= lab.nodes(); k++) {
      awaitApi(k);
    }
  }

  /** Waits (at most 30 s) until node k's API answers or its daemon exits. */
  private void awaitApi(int k) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (api(k, "/api/ha/status").isEmpty() && running(k) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
  }

  /** The process id of node k's daemon (for its resident memory, say). */
  public long pid(int k) {
    return daemons[k].pid();
  }

  /** Node k's daemon process as last started, if any (for its pid and exit code). */
  public Optional<Process> process(int k) {
    return Optional.ofNullable(daemons[k]);
  }

  public boolean running(int k) {
    return daemons[k] != null && daemons[k].isAlive();
  }

  /**
   * Power off: the node's links go down, the daemon dies (SIGKILL) and, as in a reboot, the VIPs
   * are gone.
   */
  public void powerOff(int k) throws InterruptedException {
    lab.isolate(lab.nodeNamespace(k));
    setLinks(k, "down");
    kill(k);
    for (Vip vip : vips()) {
      new IprouteVipBackend(lab.in(lab.nodeNamespace(k)), Duration.ofSeconds(5)).remove(vip);
    }
  }

  /** Power on: links up, daemon started. */
  public void powerOn(int k) throws IOException {
    setLinks(k, "up");
    lab.reconnect(lab.nodeNamespace(k));
    start(k);
  }

  public void kill(int k) throws InterruptedException {
    if (daemons[k] != null) {
      daemons[k].destroyForcibly();
      daemons[k].waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** A clean stop (SIGTERM), as systemd would do. */
  public void stop(int k) throws InterruptedException {
    if (daemons[k] != null && daemons[k].isAlive()) {
      daemons[k].destroy();
      if (!daemons[k].waitFor(20, TimeUnit.SECONDS)) {
        daemons[k].destroyForcibly();
      }
    }
  }

  /** SIGSTOP: the process freezes, the kernel keeps forwarding and answering ARP. */
  public void freeze(int k) throws IOException, InterruptedException {
    signal(k, "STOP");
  }

  public void thaw(int k) throws IOException, InterruptedException {
    signal(k, "CONT");
  }

  private void signal(int k, String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(daemons[k].pid()))
            .inheritIO()
            .start();
    kill.waitFor();
  }

  /** Sync link first: a powered-off node sends no goodbye to its peers. */
  public void setLinks(int k, String state) {
    String ns = lab.nodeNamespace(k);
    // One ip process for the three links: a power-off drops them together. One process per link
    // left the LAN up for 10-60 ms after the sync link on a busy machine, and the backup's arp_ping
    // rightly saw the old primary still answering for its VIPs.
    StringBuilder batch = new StringBuilder();
    for (String link : List.of(lab.get("SYNC_IF"), lab.get("LAN_IF"), lab.get("WAN_IF"))) {
      batch.append("link set ").append(link).append(' ').append(state).append('\n');
    }
    lab.in(ns)
        .run(
            List.of("sh", "-c", "printf '" + batch + "' | ip -force -batch -"),
            Duration.ofSeconds(5));
  }

  /**
   * Drops heartbeats on node k's sync link with nftables: incoming ({@code "in"}), outgoing ({@code
   * "out"}) or both; {@code "none"} restores it.
   */
  public void cutSync(int k, String direction) {
    String ns = lab.nodeNamespace(k);
    lab.in(ns).run(List.of("nft", "delete", "table", "inet", "fwtcut"), Duration.ofSeconds(5));
    if (direction.equals("none")) {
      return;
    }
    String sync = lab.get("SYNC_IF");
    StringBuilder rules = new StringBuilder("table inet fwtcut {\n");
    if (!direction.equals("out")) {
      rules
          .append("  chain in { type filter hook input priority -10; iifname \"")
          .append(sync)
          .append("\" drop; }\n");
    }
    if (!direction.equals("in")) {
      rules
          .append("  chain out { type filter hook output priority -10; oifname \"")
          .append(sync)
          .append("\" drop; }\n");
    }
    rules.append("}\n");
    try {
      Path file = dir.resolve("cut-n" + k + ".nft");
      Files.writeString(file, rules.toString());
      CommandResult result =
          lab.in(ns).run(List.of("nft", "-f", file.toString()), Duration.ofSeconds(5));
      if (!result.ok()) {
        throw new IllegalStateException("cannot cut the sync link: " + result.describe());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lab's VIPs as the nodes configure them. */
  public List<Vip> vips() {
    try {
      return List.of(
          new Vip(InetAddress.getByName(lab.get("LAN_VIP")), 24, lab.get("LAN_IF")),
          new Vip(InetAddress.getByName(lab.get("WAN_VIP")), 24, lab.get("WAN_IF")));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Nodes whose kernel holds the LAN VIP right now. */
  public List<Integer> lanVipHolders() {
    List<Integer> holders = new ArrayList<>();
    Vip lan = vips().get(0);
    for (int k = 1; k <= lab.nodes(); k++) {
      if (new IprouteVipBackend(lab.in(lab.nodeNamespace(k)), Duration.ofSeconds(5)).held(lan)) {
        holders.add(k);
      }
    }
    return holders;
  }

  /** GET an API path of node k (inside its namespace); empty when it does not answer. */
  public Optional<JsonNode> api(int k, String path) {
    return api(k, path, Duration.ofSeconds(2));
  }

  /**
   * As {@link #api(int, String)}, for an answer that may take up to {@code limit} (large lists).
   */
  public Optional<JsonNode> api(int k, String path, Duration limit) {
    CommandResult result =
        lab.in(lab.nodeNamespace(k))
            .run(
                List.of(
                    "curl",
                    "-s",
                    "-f",
                    "-m",
                    Long.toString(Math.max(1, limit.toSeconds())),
                    "http://127.0.0.1:8080" + path),
                limit.plusSeconds(2));
    if (!result.ok()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(result.stdout()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public Optional<String> role(int k) {
    return api(k, "/api/ha/status").map(s -> s.path("role").asText());
  }

  /** Runs a flywall client command inside node k's namespace, against its own API and token. */
  public CommandResult cli(int k, String... args) {
    List<String> command = new ArrayList<>(javaCommand);
    command.addAll(List.of(args));
    command.addAll(
        List.of("--api", "http://127.0.0.1:8080", "--token-file", tokenFile(k).toString()));
    return lab.in(lab.nodeNamespace(k)).run(command, Duration.ofSeconds(30));
  }

  /** Whether the client reaches the server through the VIPs right now (one ping). */
  public boolean clientReachesServer() {
    return lab.in(lab.clientNamespace())
        .run(List.of("ping", "-c", "1", "-W", "1", lab.get("SERVER_IP")), Duration.ofSeconds(3))
        .ok();
  }

  public String logTails(int lines) {
    StringBuilder all = new StringBuilder();
    for (int k = 1; k <= lab.nodes(); k++) {
      all.append("---- n").append(k).append(" ----\n");
      try {
        List<String> log = Files.readAllLines(log(k));
        all.append(String.join("\n", log.subList(Math.max(0, log.size() - lines), log.size())))
            .append('\n');
      } catch (IOException e) {
        all.append("(no log)\n");
      }
    }
    return all.toString();
  }

  @Override
  public void close() {
    try {
      for (int k = 1; k <= lab.nodes(); k++) {
        kill(k);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
