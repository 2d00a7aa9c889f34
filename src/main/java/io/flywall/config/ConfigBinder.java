package io.flywall.config;

import io.flywall.config.hcl.HclBlock;
import io.flywall.config.hcl.HclBody;
import io.flywall.config.hcl.Position;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Binds a parsed file to {@link FlywallConfig}: types and ranges through {@link BlockReader}, then
 * the rules that involve several attributes. Builds the config only when no error was found, so a
 * config is never half-valid.
 */
final class ConfigBinder {
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int SHORT_SECRET = 32;
  private static final Pattern WITNESS_KEY = Pattern.compile("[0-9a-fA-F]{64}");

  /** sync_timeout is at least this by default, however short sync_interval is. */
  private static final Duration MIN_SYNC_TIMEOUT = Duration.ofSeconds(2);

  private final Supplier<String> hostname;
  private final Optional<Path> configFile;
  private final ProblemLog log;

  /**
   * @param configFile the absolute path of the file being bound, when it came from a file
   */
  ConfigBinder(Supplier<String> hostname, Optional<Path> configFile, ProblemLog log) {
    this.hostname = hostname;
    this.configFile = configFile;
    this.log = log;
  }

  /** The config, or empty when any error was logged. */
  Optional<FlywallConfig> bind(HclBody body) {
    BlockReader root = BlockReader.root(body, log);
    Optional<BlockReader> replicationBlock = root.block("replication");
    if (replicationBlock.isEmpty()) {
      log.error(
          root.position(),
          "missing block `replication`: it holds `mode`, the one setting without a default");
    }
    Optional<ReplicationConfig> replication = replicationBlock.flatMap(this::replication);
    Optional<ApiConfig> api = api(root.block("api"), replication.map(ReplicationConfig::stateDir));
    if (log.hasErrors()) {
      return Optional.empty();
    }
    return Optional.of(new FlywallConfig(replication.orElseThrow(), api.orElseThrow()));
  }

  /**
   * Only the api block; problems anywhere else are ignored (a client command must still find the
   * daemon after a bad edit elsewhere). An unusable state_dir leaves the token file's default.
   */
  Optional<ApiConfig> bindApi(HclBody body) {
    ProblemLog elsewhere = new ProblemLog("ignored");
    BlockReader root = BlockReader.root(body, elsewhere);
    Optional<Path> stateDir = Optional.empty();
    try {
      stateDir = root.block("replication").flatMap(r -> r.path("state_dir"));
    } catch (RuntimeException e) {
      // A malformed replication block is not this reader's business.
    }
    Optional<BlockReader> api =
        body.items().stream()
            .filter(n -> n instanceof HclBlock b && b.name().equals("api"))
            .map(n -> (HclBlock) n)
            .findFirst()
            .map(b -> BlockReader.of(ConfigSchema.API, b, log));
    // Without a readable replication block, state_dir is taken at its default.
    return api(api, Optional.of(stateDir.orElse(Path.of("/var/lib/flywall"))));
  }

  private Optional<ReplicationConfig> replication(BlockReader r) {
    var mode = r.choice("mode", ReplicationConfig.Mode.class);
    if (!r.isSet("mode")) {
      log.error(
          r.position(),
          "`mode` is required in block `replication`: one of \"primary\", \"replica\", \"standalone\"");
    }
    Optional<String> nodeId = nodeId(r);
    var listenAddr = r.hostPort("listen_addr");
    var primaryAddr = peerAddress(r, "primary_addr", r.hostPort("primary_addr"));
    var peerAddr = peerAddress(r, "peer_addr", r.hostPort("peer_addr"));
    var peerAddrs = r.hostPorts("peer_addrs");
    peerAddrs.ifPresent(
        list ->
            list.stream()
                .filter(HostPort::anyHost)
                .findFirst()
                .ifPresent(
                    p ->
                        log.error(
                            r.valuePositionOf("peer_addrs"),
                            "`peer_addrs`: \""
                                + p
                                + "\" needs a host: a peer is not reachable at \"any address\"")));
    if (r.isSet("peer_addr") && r.isSet("peer_addrs")) {
      log.error(
          r.positionOf("peer_addrs"),
          "`peer_addr` and `peer_addrs` exclude each other: use `peer_addr` for"
              + " two nodes or `peer_addrs` for more");
    }
    var secret = r.secret("secret_key");
    secret.ifPresent(
        s -> {
          if (s.value().isEmpty()) {
            log.error(r.valuePositionOf("secret_key"), "`secret_key` must not be empty");
          } else if (s.value().length() < SHORT_SECRET) {
            log.warning(
                r.valuePositionOf("secret_key"),
                "`secret_key` is shorter than "
                    + SHORT_SECRET
                    + " characters: anyone who records one heartbeat can test guesses of it"
                    + " offline; use a long random secret (e.g. `openssl rand -base64 32`)");
          }
        });
    var witnessKey = r.secret("witness_key");
    witnessKey.ifPresent(
        k -> {
          if (!WITNESS_KEY.matcher(k.value()).matches()) {
            // Never quote the value: it is a key.
            log.error(
                r.valuePositionOf("witness_key"),
                "`witness_key` must be the 64 hex digits printed by"
                    + " `flywall config witness-key NODE_CONFIG`");
          }
        });
    if (r.isSet("secret_key") && r.isSet("witness_key")) {
      log.error(
          r.positionOf("witness_key"),
          "`secret_key` and `witness_key` exclude each other: a node has `secret_key`, a witness"
              + " only `witness_key`");
    }
    var compression = r.bool("compression");
    var encryption = r.bool("encryption");
    var syncInterval = r.duration("sync_interval");
    var batchSize = r.integer("batch_size");
    var syncMode = r.choice("sync_mode", ReplicationConfig.SyncMode.class);
    Optional<Duration> syncTimeout = r.duration("sync_timeout");
    if (!r.isSet("sync_timeout") && syncInterval.isPresent()) {
      Duration twenty = syncInterval.get().multipliedBy(20);
      syncTimeout = Optional.of(twenty.compareTo(MIN_SYNC_TIMEOUT) > 0 ? twenty : MIN_SYNC_TIMEOUT);
    }
    var logRetention = r.integer("log_retention");
    var stateDir = r.path("state_dir");
    var syncFiles = r.paths("sync_files");
    if (syncFiles.isPresent()
        && configFile.isPresent()
        && syncFiles.get().stream()
            .anyMatch(f -> f.toAbsolutePath().normalize().equals(configFile.get()))) {
      // Each node has its own HA config (its own priority and addresses); pushing it would clone
      // the primary.
      log.error(
          r.valuePositionOf("sync_files"),
          "`sync_files` must not contain this config file: each node keeps its own");
    }
    Optional<BlockReader> haBlock = r.block("ha");
    Optional<HaConfig> ha = haBlock.flatMap(this::ha);

    requireSecretForPeers(r, haBlock);
    warnOfSwappedPorts(r, listenAddr, peerAddr, peerAddrs, ha);
    boolean conntrackSync =
        ha.flatMap(HaConfig::conntrackSync).map(ConntrackSyncConfig::enabled).orElse(false);
    if (conntrackSync
        && stateDir.isPresent()
        && stateDir.get().toString().chars().anyMatch(ConfigBinder::breaksConntrackdConf)) {
      log.error(
          r.isSet("state_dir") ? r.valuePositionOf("state_dir") : r.position(),
          "`state_dir` must not contain spaces, quotes, '#', braces or control characters when"
              + " `conntrack_sync` is enabled: conntrackd.conf, written under it, cannot quote them");
    }
    if (log.hasErrors()) {
      return Optional.empty();
    }
    return Optional.of(
        new ReplicationConfig(
            mode.orElseThrow(),
            nodeId.orElseThrow(),
            listenAddr.orElseThrow(),
            primaryAddr,
            peerAddr,
            peerAddrs.orElseThrow(),
            secret,
            witnessKey,
            compression.orElseThrow(),
            encryption.orElseThrow(),
            syncInterval.orElseThrow(),
            batchSize.orElseThrow(),
            syncMode.orElseThrow(),
            syncTimeout.orElseThrow(),
            logRetention.orElseThrow(),
            stateDir.orElseThrow(),
            syncFiles.orElseThrow(),
            ha));
  }

  /** conntrackd.conf has no quoting: a value ends at whitespace and cannot hold these. */
  private static boolean breaksConntrackdConf(int c) {
    return c <= ' ' || c == 0x7f || c == '"' || c == '#' || c == '{' || c == '}';
  }

  private Optional<String> nodeId(BlockReader r) {
    if (r.isSet("node_id")) {
      Optional<String> written = r.string("node_id");
      if (written.isPresent() && !NODE_ID.matcher(written.get()).matches()) {
        log.error(
            r.valuePositionOf("node_id"),
            "`node_id` \""
                + written.get()
                + "\" must be 1 to 64 letters,"
                + " digits, '.', '_' or '-'");
        return Optional.empty();
      }
      return written;
    }
    String host = hostname.get();
    if (host == null || !NODE_ID.matcher(host).matches()) {
      log.error(
          r.position(),
          "`node_id` is not set and the hostname "
              + (host == null ? "is unknown" : "\"" + host + "\" is not a valid node id")
              + ": set `node_id` in block `replication`");
      return Optional.empty();
    }
    return Optional.of(host);
  }

  /** An address we send to must name a host; ":port" only makes sense for listening. */
  private Optional<HostPort> peerAddress(BlockReader r, String name, Optional<HostPort> address) {
    if (address.isPresent() && address.get().anyHost()) {
      log.error(
          r.valuePositionOf(name),
          "`"
              + name
              + "` needs a host: \""
              + address.get()
              + "\" means \"any address\", which can only be listened on");
    }
    return address;
  }

  private void requireSecretForPeers(BlockReader r, Optional<BlockReader> ha) {
    if (r.isSet("secret_key") || r.isSet("witness_key")) {
      return;
    }
    for (String peer : List.of("peer_addr", "peer_addrs", "primary_addr")) {
      if (r.isSet(peer)) {
        log.error(
            r.positionOf(peer),
            "`secret_key` is required in block `replication` because `"
                + peer
                + "` is set: it authenticates heartbeats and replication");
        return;
      }
    }
    if (ha.isPresent() && ha.get().isSet("witness_addr")) {
      log.error(
          ha.get().positionOf("witness_addr"),
          "`secret_key` is required in block `replication` because"
              + " `witness_addr` is set: it authenticates the witness");
    }
  }

  /**
   * peer_addr names the peer's heartbeat address, peer_addrs its replication address (the guide's
   * configs, which must keep loading, use both so). The other port in either is a likely mistake:
   * said at once rather than found as a silent peer.
   */
  private void warnOfSwappedPorts(
      BlockReader r,
      Optional<HostPort> listenAddr,
      Optional<HostPort> peerAddr,
      Optional<List<HostPort>> peerAddrs,
      Optional<HaConfig> ha) {
    if (listenAddr.isEmpty()) {
      return;
    }
    int replicationPort = listenAddr.get().port();
    int heartbeatPort = ha.map(HaConfig::heartbeatPort).orElse(HaConfig.DEFAULT_HEARTBEAT_PORT);
    if (replicationPort == heartbeatPort) {
      return;
    }
    peerAddr
        .filter(p -> p.port() == replicationPort)
        .ifPresent(
            p ->
                log.warning(
                    r.valuePositionOf("peer_addr"),
                    "`peer_addr` is the peer's heartbeat address: its port is the peer's"
                        + " heartbeat_port ("
                        + heartbeatPort
                        + " here), not the replication port "
                        + replicationPort
                        + "; write \""
                        + p.withPort(heartbeatPort)
                        + "\""));
    peerAddrs.stream()
        .flatMap(List::stream)
        .filter(p -> p.port() == heartbeatPort)
        .findFirst()
        .ifPresent(
            p ->
                log.warning(
                    r.valuePositionOf("peer_addrs"),
                    "`peer_addrs` are the peers' replication addresses (their listen_addr, port "
                        + replicationPort
                        + " here), not their heartbeat_port "
                        + heartbeatPort
                        + ": heartbeats go to each host's heartbeat_port by themselves; write \""
                        + p.withPort(replicationPort)
                        + "\""));
  }

  private Optional<HaConfig> ha(BlockReader h) {
    var enabled = h.bool("enabled");
    var priority = h.integer("priority");
    var failbackMode = h.choice("failback_mode", HaConfig.FailbackMode.class);
    var failbackDelay = h.duration("failback_delay");
    var failbackWindow = h.duration("failback_window");
    var interval = h.duration("heartbeat_interval");
    var threshold = h.integer("failure_threshold");
    Optional<Duration> timeout = h.duration("failure_timeout");
    if (!h.isSet("failure_timeout") && interval.isPresent() && threshold.isPresent()) {
      timeout = Optional.of(interval.get().multipliedBy(threshold.get()));
    }
    if (h.isSet("failure_timeout")
        && timeout.isPresent()
        && interval.isPresent()
        && timeout.get().compareTo(interval.get()) < 0) {
      log.error(
          h.valuePositionOf("failure_timeout"),
          "`failure_timeout` ("
              + DurationSyntax.format(timeout.get())
              + ") must not be shorter than `heartbeat_interval` ("
              + DurationSyntax.format(interval.get())
              + ")");
    }
    var startupHold = h.duration("startup_hold");
    if (h.isSet("startup_hold")
        && startupHold.isPresent()
        && interval.isPresent()
        && startupHold.get().compareTo(interval.get()) < 0) {
      log.error(
          h.valuePositionOf("startup_hold"),
          "`startup_hold` ("
              + DurationSyntax.format(startupHold.get())
              + ") must not be shorter than `heartbeat_interval` ("
              + DurationSyntax.format(interval.get())
              + "): a starting node must hear a running primary before it may claim");
    }
    var heartbeatPort = h.integer("heartbeat_port");
    var monitorLinks = h.interfaces("monitor_links");
    var monitorGateways = h.ips("monitor_gateways");
    var preScript = h.path("pre_failover_script");
    var postScript = h.path("post_failover_script");
    trustedScript(h, "pre_failover_script", preScript);
    trustedScript(h, "post_failover_script", postScript);
    var scriptTimeout = h.duration("script_timeout");
    var quorum = h.choice("quorum", HaConfig.QuorumMode.class);
    var witness = peerAddress(h, "witness_addr", h.hostPort("witness_addr"));
    List<VirtualIpConfig> vips = virtualIps(h.blocks("virtual_ip"));
    Optional<ConntrackSyncConfig> conntrack =
        h.block("conntrack_sync").flatMap(this::conntrackSync);
    if (log.hasErrors()) {
      return Optional.empty();
    }
    return Optional.of(
        new HaConfig(
            enabled.orElseThrow(),
            priority.orElseThrow(),
            failbackMode.orElseThrow(),
            failbackDelay.orElseThrow(),
            failbackWindow.orElseThrow(),
            interval.orElseThrow(),
            threshold.orElseThrow(),
            timeout.orElseThrow(),
            startupHold.orElseThrow(),
            heartbeatPort.orElseThrow(),
            monitorLinks.orElseThrow(),
            monitorGateways.orElseThrow(),
            preScript,
            postScript,
            scriptTimeout.orElseThrow(),
            quorum.orElseThrow(),
            witness,
            vips,
            conntrack));
  }

  /** DESIGN 10.4: a script runs as root, so only root may be able to change it. */
  private void trustedScript(BlockReader h, String name, Optional<Path> script) {
    script
        .flatMap(ScriptPermissions::problem)
        .ifPresent(problem -> log.error(h.valuePositionOf(name), "`" + name + "`: " + problem));
  }

  private List<VirtualIpConfig> virtualIps(List<BlockReader> blocks) {
    List<VirtualIpConfig> out = new ArrayList<>();
    Map<InetAddress, Position> seen = new HashMap<>();
    for (BlockReader v : blocks) {
      var address = v.cidr("address");
      var iface = v.interfaceName("interface");
      var arpPing = v.bool("arp_ping");
      var garp = v.bool("gratuitous_arp");
      for (String required : List.of("address", "interface")) {
        if (!v.isSet(required)) {
          log.error(v.position(), "block `virtual_ip` needs `" + required + "`");
        }
      }
      if (address.isPresent()) {
        Position first = seen.putIfAbsent(address.get().address(), v.valuePositionOf("address"));
        if (first != null) {
          log.error(
              v.valuePositionOf("address"),
              "virtual IP "
                  + IpLiteral.format(address.get().address())
                  + " is already configured at line "
                  + first.line());
          continue;
        }
      }
      if (address.isPresent() && iface.isPresent() && arpPing.isPresent() && garp.isPresent()) {
        out.add(new VirtualIpConfig(address.get(), iface.get(), arpPing.get(), garp.get()));
      }
    }
    return out;
  }

  private Optional<ConntrackSyncConfig> conntrackSync(BlockReader c) {
    var enabled = c.bool("enabled");
    var iface = c.interfaceName("interface");
    var interval = c.duration("sync_interval");
    var maxEntries = c.integer("max_entries");
    if (enabled.orElse(false) && !c.isSet("interface")) {
      log.error(
          c.position(),
          "block `conntrack_sync` needs `interface` (the dedicated sync link) when enabled");
    }
    if (log.hasErrors()) {
      return Optional.empty();
    }
    return Optional.of(
        new ConntrackSyncConfig(
            enabled.orElseThrow(),
            iface.orElse(""),
            interval.orElseThrow(),
            maxEntries.orElseThrow()));
  }

  private Optional<ApiConfig> api(Optional<BlockReader> block, Optional<Path> stateDir) {
    // An absent block reads as an empty one: every attribute then takes its default.
    BlockReader a =
        block.orElseGet(() -> BlockReader.root(new HclBody(List.of()), log).emptyChild("api"));
    var listen = a.hostPort("listen");
    var tokenFile = a.path("token_file");
    var allow = a.cidrs("allow");
    var maxMonitors = a.integer("max_monitors");
    if (log.hasErrors()) {
      return Optional.empty();
    }
    Path token = tokenFile.or(() -> stateDir.map(d -> d.resolve("api.token"))).orElseThrow();
    return Optional.of(
        new ApiConfig(listen.orElseThrow(), token, allow.orElseThrow(), maxMonitors.orElseThrow()));
  }
}
