package io.flywall.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.network.CommandResult;
import io.flywall.network.CommandRunner;
import io.flywall.network.MacAddress;
import io.flywall.network.ProcessCommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One lab built by the {@code netlab} script (shipped in the jar): names and addresses come from
 * its env output. Removed on {@link #close()} and, should the JVM die first, by a hook.
 */
public final class NetLab implements AutoCloseable {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CommandRunner host = new ProcessCommandRunner();
  private final Path script;
  private final String prefix;
  private final int nodes;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final Thread cleanup;

  private NetLab(Path script, String prefix, int nodes) {
    this.script = script;
    this.prefix = prefix;
    this.nodes = nodes;
    this.cleanup = new Thread(this::down, "netlab-down-" + prefix);
  }

  /**
   * Whether this process may build labs (root and a working {@code ip netns}); the reason if not.
   */
  public static Optional<String> unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("the network lab needs root (it creates network namespaces); run as root");
    }
    CommandResult netns =
        new ProcessCommandRunner().run(List.of("ip", "netns", "list"), Duration.ofSeconds(5));
    if (!netns.ok()) {
      return Optional.of(
          "'ip netns' does not work here: " + netns.describe() + " (apt-get install iproute2)");
    }
    return Optional.empty();
  }

  /** Builds a lab with a fresh unique prefix ({@code fwt} + 6 hex digits). */
  public static NetLab up(int nodes) throws IOException {
    byte[] random = new byte[3];
    new SecureRandom().nextBytes(random);
    String prefix = "fwt" + HexFormat.of().formatHex(random);
    NetLab lab = new NetLab(extractScript(), prefix, nodes);
    Runtime.getRuntime().addShutdownHook(lab.cleanup);
    CommandResult result =
        lab.host.run(
            List.of(
                "bash", lab.script.toString(), "up", prefix, "--nodes", Integer.toString(nodes)),
            SCRIPT_TIMEOUT);
    if (!result.ok()) {
      lab.close();
      throw new IOException("cannot build the lab: " + result.describe());
    }
    result
        .stdout()
        .lines()
        .filter(line -> line.contains("="))
        .forEach(
            line -> {
              int eq = line.indexOf('=');
              lab.env.put(line.substring(0, eq), line.substring(eq + 1));
            });
    return lab;
  }

  private static Path extractScript() throws IOException {
    try (InputStream in = NetLab.class.getResourceAsStream("netlab")) {
      if (in == null) {
        throw new IOException(
            "the netlab script is missing from the jar; rebuild with 'mvn package'");
      }
      Path file =
          Files.createTempFile(
              "flywall-netlab",
              ".sh",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      file.toFile().deleteOnExit();
      return file;
    }
  }

  public String prefix() {
    return prefix;
  }

  public int nodes() {
    return nodes;
  }

  /** A value of the lab's env, e.g. {@code LAN_VIP} or {@code N1_LAN_MAC}. */
  public String get(String name) {
    String value = env.get(name);
    if (value == null) {
      throw new IllegalArgumentException("netlab env has no " + name + "; it has " + env.keySet());
    }
    return value;
  }

  /** Namespace of node k (1-based). */
  public String nodeNamespace(int k) {
    return get("NS_N" + k);
  }

  public String clientNamespace() {
    return get("NS_CLIENT");
  }

  public String serverNamespace() {
    return get("NS_SERVER");
  }

  /** Runs commands inside namespace {@code ns}. */
  public CommandRunner in(String ns) {
    return host.inNamespace(ns);
  }

  /** Runs one command in {@code ns} and fails loudly if it fails. */
  public CommandResult run(String ns, String... argv) {
    CommandResult result = in(ns).run(Arrays.asList(argv), Duration.ofSeconds(10));
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
    return result;
  }

  /**
   * Cuts every packet into and out of {@code ns} at one instant, as a power cut does: one nftables
   * transaction (IPv4, IPv6 and ARP; applied atomically) dropping input, output and forwarding.
   * Taking the links down, even in one {@code ip -batch}, drops them one after another, each
   * waiting for the kernel's grace period: on a busy machine the LAN stayed up 25 ms after the sync
   * link, so a backup's arp_ping rightly saw the "powered off" node still answering for its VIPs.
   */
  public void isolate(String ns) {
    String drop = " priority -400; policy drop; }; ";
    String rules =
        "table inet fwtoff { chain input { type filter hook input"
            + drop
            + "chain output { type filter hook output"
            + drop
            + "chain forward { type filter hook forward"
            + drop
            + "}; table arp fwtoffarp { chain input { type filter hook input"
            + drop
            + "chain output { type filter hook output"
            + drop
            + "}";
    CommandResult result =
        in(ns)
            .run(
                List.of("sh", "-c", "printf '%s' '" + rules + "' | nft -f -"),
                Duration.ofSeconds(10));
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
  }

  /** Undoes {@link #isolate} (nothing to undo is fine). */
  public void reconnect(String ns) {
    in(ns).run(List.of("nft", "delete", "table", "inet", "fwtoff"), Duration.ofSeconds(10));
    in(ns).run(List.of("nft", "delete", "table", "arp", "fwtoffarp"), Duration.ofSeconds(10));
  }

  /** The link-layer address {@code ns}'s neighbour table has for {@code address} on {@code dev}. */
  public Optional<MacAddress> neighbour(String ns, String dev, String address) {
    CommandResult result =
        in(ns)
            .run(List.of("ip", "-j", "neigh", "show", address, "dev", dev), Duration.ofSeconds(5));
    try {
      for (JsonNode entry : JSON.readTree(result.stdout().isBlank() ? "[]" : result.stdout())) {
        if (entry.hasNonNull("lladdr")) {
          return Optional.of(MacAddress.of(entry.get("lladdr").asText()));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new IllegalStateException("bad ip neigh output: " + result.stdout(), e);
    }
  }

  /** The client's neighbour entry for the LAN VIP (its gateway). */
  public Optional<MacAddress> clientGatewayMac() {
    return neighbour(clientNamespace(), get("CLIENT_IF"), get("LAN_VIP"));
  }

  /** Node k's MAC on the LAN. */
  public MacAddress lanMac(int k) {
    return MacAddress.of(get("N" + k + "_LAN_MAC"));
  }

  /** The namespaces of this lab that still exist. */
  public List<String> namespacesLeft() {
    CommandResult result = host.run(List.of("ip", "netns", "list"), Duration.ofSeconds(5));
    return result
        .stdout()
        .lines()
        .map(line -> line.split(" ")[0])
        .filter(name -> name.startsWith(prefix + "-"))
        .toList();
  }

  private void down() {
    host.run(List.of("bash", script.toString(), "down", prefix), SCRIPT_TIMEOUT);
  }

  @Override
  public void close() {
    down();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or has run: the lab is being removed anyway.
    }
  }
}
