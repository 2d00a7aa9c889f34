package io.flywall.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every block and attribute the config file may contain, as data. The binder reads only what is
 * listed here (and suggests from it for unknown names); the reference in {@code
 * docs/config-reference.md} is checked against it by a test.
 */
public final class ConfigSchema {
  private static final long UNBOUNDED = Integer.MAX_VALUE;

  private static final BlockSpec VIRTUAL_IP =
      new BlockSpec(
          "replication.ha.virtual_ip",
          true,
          "An address the primary holds. Repeatable; no two blocks may name the same IP.",
          List.of(
              plain(
                  "address",
                  ValueType.CIDR,
                  "required",
                  "The virtual IP with its prefix length, IPv4 or IPv6, e.g. \"10.0.0.100/24\"."),
              plain(
                  "interface",
                  ValueType.INTERFACE,
                  "required",
                  "Interface the address is added to."),
              fixed(
                  "arp_ping",
                  ValueType.BOOL,
                  "true",
                  "Before claiming, probe whether anyone still answers for the address (split-brain guard)."),
              fixed(
                  "gratuitous_arp",
                  ValueType.BOOL,
                  "true",
                  "Announce the address after claiming it: gratuitous ARP (IPv4) or unsolicited NA (IPv6).")),
          List.of());

  private static final BlockSpec CONNTRACK_SYNC =
      new BlockSpec(
          "replication.ha.conntrack_sync",
          false,
          "Connection-state sync through conntrackd over a dedicated link.",
          List.of(
              fixed(
                  "enabled",
                  ValueType.BOOL,
                  "true",
                  "Run conntrack sync; a present block is enabled unless this says false."),
              plain(
                  "interface",
                  ValueType.INTERFACE,
                  "none (required when enabled)",
                  "The dedicated sync link."),
              duration(
                  "sync_interval",
                  "\"5s\"",
                  1,
                  "How often flywall samples conntrackd's statistics (FTFW itself is event-driven)."),
              integer(
                  "max_entries",
                  1,
                  UNBOUNDED,
                  "100000",
                  "Largest connection table conntrackd keeps.")),
          List.of());

  private static final BlockSpec HA =
      new BlockSpec(
          "replication.ha",
          false,
          "High availability: election, failure detection, health monitors, scripts and virtual IPs. "
              + "Absent means HA is disabled.",
          List.of(
              fixed(
                  "enabled",
                  ValueType.BOOL,
                  "true",
                  "Take part in the election; a present block is enabled unless this says false."),
              integer(
                  "priority",
                  1,
                  1000,
                  "100",
                  "Election preference: lower is preferred; ties are broken by node_id."),
              choice(
                  "failback_mode",
                  List.of("auto", "manual", "disabled"),
                  "\"auto\"",
                  "Whether the preferred node reclaims the primary role after it recovers: automatically, "
                      + "only when an operator arms it, or never."),
              duration(
                  "failback_delay",
                  "30",
                  0,
                  "How long the preferred node must be alive, healthy and caught up before it reclaims."),
              duration(
                  "failback_window",
                  "0",
                  0,
                  "Anti-flap: at most one automatic failback per window; 0 = no limit."),
              duration("heartbeat_interval", "1", 1, "Time between heartbeats."),
              integer(
                  "failure_threshold",
                  1,
                  1000,
                  "3",
                  "Missed heartbeats after which a peer counts as failed."),
              plain(
                  "failure_timeout",
                  ValueType.DURATION,
                  1,
                  "heartbeat_interval × failure_threshold",
                  "Silence after which a peer counts as failed; at least heartbeat_interval."),
              duration(
                  "startup_hold",
                  "\"5s\"",
                  0,
                  "A starting node claims nothing before it has heard every configured peer or this"
                      + " long has passed; at least heartbeat_interval."),
              integer("heartbeat_port", 1, 65535, "9002", "UDP port of the heartbeats."),
              plain(
                  "monitor_links",
                  ValueType.INTERFACE_LIST,
                  "none",
                  "Links to watch: any link down makes this node unhealthy."),
              plain(
                  "monitor_gateways",
                  ValueType.IP_LIST,
                  "none",
                  "Gateways to ping: none reachable makes this node unhealthy."),
              plain(
                  "pre_failover_script",
                  ValueType.PATH,
                  "none",
                  "Run before the VIPs are added on takeover."),
              plain(
                  "post_failover_script",
                  ValueType.PATH,
                  "none",
                  "Run after the VIPs are added on takeover."),
              duration("script_timeout", "30", 1, "A script still running after this is killed."),
              choice(
                  "quorum",
                  List.of("auto", "majority", "none"),
                  "\"auto\"",
                  "auto: majority when there are three or more voters; majority: always; none: never."),
              plain(
                  "witness_addr",
                  ValueType.HOST_PORT,
                  "none",
                  "A tie-breaker voter for two-node clusters; needs secret_key (the witness gets "
                      + "witness_key).")),
          List.of(VIRTUAL_IP, CONNTRACK_SYNC));

  private static final BlockSpec REPLICATION =
      new BlockSpec(
          "replication",
          false,
          "This node's identity, its peers, and how state is replicated. Required.",
          List.of(
              choice(
                  "mode",
                  List.of("primary", "replica", "standalone"),
                  null,
                  "Required. The initial replication role; with HA enabled the roles are negotiated."),
              plain(
                  "node_id",
                  ValueType.STRING,
                  "hostname",
                  "This node's name in the cluster: letters, digits, `.`, `_`, `-`, at most 64 characters."),
              fixed(
                  "listen_addr",
                  ValueType.HOST_PORT,
                  "\":9001\"",
                  "Replication TCP listener; \":port\" listens on every address. Its host is also the heartbeat bind address."),
              plain(
                  "primary_addr",
                  ValueType.HOST_PORT,
                  "none",
                  "Where a replica first looks for the primary."),
              plain(
                  "peer_addr",
                  ValueType.HOST_PORT,
                  "none",
                  "Two-node form: the peer's heartbeat address. Excludes peer_addrs."),
              plain(
                  "peer_addrs",
                  ValueType.HOST_PORT_LIST,
                  "none",
                  "Multi-node form: the peers' replication addresses; heartbeats go to each host at heartbeat_port. "
                      + "Excludes peer_addr."),
              plain(
                  "secret_key",
                  ValueType.SECRET,
                  "none (required when any peer is configured)",
                  "Shared secret authenticating heartbeats and replication; never logged or shown. "
                      + "Stretched with Argon2id at start. Shorter than 32 characters gives a warning."),
              plain(
                  "witness_key",
                  ValueType.SECRET,
                  "none",
                  "Only in a witness's config, instead of secret_key: the key printed by "
                      + "`flywall config witness-key NODE_CONFIG` (64 hex digits). It lets the witness "
                      + "vote, not read state or act as a node."),
              fixed(
                  "compression", ValueType.BOOL, "true", "Compress replication batches with zstd."),
              fixed(
                  "encryption",
                  ValueType.BOOL,
                  "true",
                  "Encrypt replication with TLS 1.3 (PSK); false still authenticates every frame."),
              duration(
                  "sync_interval",
                  "\"100ms\"",
                  1,
                  "Longest delay before a batch of changes is sent."),
              integer("batch_size", 1, UNBOUNDED, "1000", "Most changes per batch."),
              choice(
                  "sync_mode",
                  List.of("async", "sync"),
                  "\"async\"",
                  "async: a write returns at once; sync: a write returns after a replica acknowledged it."),
              plain(
                  "sync_timeout",
                  ValueType.DURATION,
                  1,
                  "max(2s, 20 × sync_interval)",
                  "sync mode: how long a write waits for a replica's acknowledgement before replication"
                      + " is declared degraded (async) until a replica catches up."),
              integer(
                  "log_retention",
                  1,
                  UNBOUNDED,
                  "200000",
                  "Changes the log keeps; a replica further behind gets a snapshot instead."),
              fixed(
                  "state_dir",
                  ValueType.PATH,
                  "\"/var/lib/flywall\"",
                  "Directory of the state database and the API token."),
              plain(
                  "sync_files",
                  ValueType.PATH_LIST,
                  "none",
                  "Files the primary pushes to replicas; never the HA config itself.")),
          List.of(HA));

  static final BlockSpec API =
      new BlockSpec(
          "api",
          false,
          "The local HTTP API. Optional; absent means these defaults.",
          List.of(
              fixed(
                  "listen", ValueType.HOST_PORT, "\"127.0.0.1:8080\"", "Address of the HTTP API."),
              plain(
                  "token_file",
                  ValueType.PATH,
                  "\"<state_dir>/api.token\"",
                  "Bearer token for writing requests; generated with mode 0600 at first start."),
              fixed(
                  "allow",
                  ValueType.CIDR_LIST,
                  "[\"127.0.0.0/8\", \"::1/128\"]",
                  "Source addresses allowed to use the API at all."),
              integer(
                  "max_monitors",
                  1,
                  1024,
                  "32",
                  "Most concurrent `/api/ha/monitor` streams; further subscribers get 503.")),
          List.of());

  /** The file itself: it holds only blocks. */
  public static final BlockSpec ROOT =
      new BlockSpec("", false, "The config file.", List.of(), List.of(REPLICATION, API));

  private ConfigSchema() {}

  /** Every block by dotted path, parents before children, in reference order. */
  public static Map<String, BlockSpec> blocksByPath() {
    Map<String, BlockSpec> out = new LinkedHashMap<>();
    List<BlockSpec> todo = new ArrayList<>(ROOT.blocks());
    while (!todo.isEmpty()) {
      BlockSpec next = todo.remove(0);
      out.put(next.path(), next);
      todo.addAll(0, next.blocks());
    }
    return out;
  }

  private static AttributeSpec fixed(
      String name, ValueType type, String defaultHcl, String meaning) {
    return new AttributeSpec(
        name, type, List.of(), 0, 0, Optional.of(defaultHcl), defaultHcl, meaning);
  }

  private static AttributeSpec plain(
      String name, ValueType type, String defaultText, String meaning) {
    return new AttributeSpec(name, type, List.of(), 0, 0, Optional.empty(), defaultText, meaning);
  }

  private static AttributeSpec plain(
      String name, ValueType type, long min, String defaultText, String meaning) {
    return new AttributeSpec(name, type, List.of(), min, 0, Optional.empty(), defaultText, meaning);
  }

  private static AttributeSpec integer(
      String name, long min, long max, String defaultHcl, String meaning) {
    return new AttributeSpec(
        name, ValueType.INT, List.of(), min, max, Optional.of(defaultHcl), defaultHcl, meaning);
  }

  private static AttributeSpec duration(
      String name, String defaultHcl, long minMillis, String meaning) {
    return new AttributeSpec(
        name,
        ValueType.DURATION,
        List.of(),
        minMillis,
        0,
        Optional.of(defaultHcl),
        defaultHcl,
        meaning);
  }

  private static AttributeSpec choice(
      String name, List<String> allowed, String defaultHcl, String meaning) {
    return new AttributeSpec(
        name,
        ValueType.ENUM,
        allowed,
        0,
        0,
        Optional.ofNullable(defaultHcl),
        defaultHcl == null ? "required" : defaultHcl,
        meaning);
  }
}
