package io.flywall.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Writes the effective config (defaults filled in) as HCL that loads again. The secret is written
 * as {@code "<redacted>"}: the output is for reading and diffing, not for copying secrets around.
 */
public final class ConfigPrinter {
  private final StringBuilder out = new StringBuilder();
  private int indent;

  private ConfigPrinter() {}

  public static String print(FlywallConfig c) {
    ConfigPrinter p = new ConfigPrinter();
    p.replication(c.replication());
    p.out.append('\n');
    p.api(c.api());
    return p.out.toString();
  }

  private void replication(ReplicationConfig r) {
    open("replication");
    attr("mode", enumText(r.mode()));
    attr("node_id", quote(r.nodeId()));
    attr("listen_addr", quote(r.listenAddr().toString()));
    r.primaryAddr().ifPresent(a -> attr("primary_addr", quote(a.toString())));
    r.peerAddr().ifPresent(a -> attr("peer_addr", quote(a.toString())));
    if (!r.peerAddrs().isEmpty()) {
      attr("peer_addrs", list(r.peerAddrs(), HostPort::toString));
    }
    r.secretKey().ifPresent(s -> attr("secret_key", quote("<redacted>")));
    r.witnessKey().ifPresent(s -> attr("witness_key", quote("<redacted>")));
    attr("compression", String.valueOf(r.compression()));
    attr("encryption", String.valueOf(r.encryption()));
    attr("sync_interval", duration(r.syncInterval()));
    attr("batch_size", String.valueOf(r.batchSize()));
    attr("sync_mode", enumText(r.syncMode()));
    attr("sync_timeout", duration(r.syncTimeout()));
    attr("log_retention", String.valueOf(r.logRetention()));
    attr("state_dir", quote(r.stateDir().toString()));
    if (!r.syncFiles().isEmpty()) {
      attr("sync_files", list(r.syncFiles(), Path::toString));
    }
    r.ha().ifPresent(this::ha);
    close();
  }

  private void ha(HaConfig h) {
    out.append('\n');
    open("ha");
    attr("enabled", String.valueOf(h.enabled()));
    attr("priority", String.valueOf(h.priority()));
    attr("failback_mode", enumText(h.failbackMode()));
    attr("failback_delay", duration(h.failbackDelay()));
    attr("failback_window", duration(h.failbackWindow()));
    attr("heartbeat_interval", duration(h.heartbeatInterval()));
    attr("failure_threshold", String.valueOf(h.failureThreshold()));
    attr("failure_timeout", duration(h.failureTimeout()));
    attr("heartbeat_port", String.valueOf(h.heartbeatPort()));
    if (!h.monitorLinks().isEmpty()) {
      attr("monitor_links", list(h.monitorLinks(), Function.identity()));
    }
    if (!h.monitorGateways().isEmpty()) {
      attr("monitor_gateways", list(h.monitorGateways(), IpLiteral::format));
    }
    path("pre_failover_script", h.preFailoverScript());
    path("post_failover_script", h.postFailoverScript());
    attr("script_timeout", duration(h.scriptTimeout()));
    attr("quorum", enumText(h.quorum()));
    h.witnessAddr().ifPresent(a -> attr("witness_addr", quote(a.toString())));
    for (VirtualIpConfig v : h.virtualIps()) {
      out.append('\n');
      open("virtual_ip");
      attr("address", quote(v.address().toString()));
      attr("interface", quote(v.interfaceName()));
      attr("arp_ping", String.valueOf(v.arpPing()));
      attr("gratuitous_arp", String.valueOf(v.gratuitousArp()));
      close();
    }
    h.conntrackSync()
        .ifPresent(
            c -> {
              out.append('\n');
              open("conntrack_sync");
              attr("enabled", String.valueOf(c.enabled()));
              if (!c.interfaceName().isEmpty()) {
                attr("interface", quote(c.interfaceName()));
              }
              attr("sync_interval", duration(c.syncInterval()));
              attr("max_entries", String.valueOf(c.maxEntries()));
              close();
            });
    close();
  }

  private void api(ApiConfig a) {
    open("api");
    attr("listen", quote(a.listen().toString()));
    attr("token_file", quote(a.tokenFile().toString()));
    // Always written, even when empty: leaving it out would bring the default back.
    attr("allow", list(a.allow(), Cidr::toString));
    attr("max_monitors", String.valueOf(a.maxMonitors()));
    close();
  }

  private void path(String name, Optional<Path> value) {
    value.ifPresent(p -> attr(name, quote(p.toString())));
  }

  private void open(String block) {
    line(block + " {");
    indent++;
  }

  private void close() {
    indent--;
    line("}");
  }

  private void attr(String name, String value) {
    line(name + " = " + value);
  }

  private void line(String text) {
    out.append("  ".repeat(indent)).append(text).append('\n');
  }

  private static String enumText(Enum<?> value) {
    return quote(value.name().toLowerCase(Locale.ROOT));
  }

  private static String duration(Duration d) {
    return quote(DurationSyntax.format(d));
  }

  private static <T> String list(List<T> items, Function<T, String> text) {
    return "[" + String.join(", ", items.stream().map(i -> quote(text.apply(i))).toList()) + "]";
  }

  /** An HCL string literal; template starts are doubled so they read back literally. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        case '$', '%' -> {
          b.append(c);
          if (i + 1 < s.length() && s.charAt(i + 1) == '{') {
            b.append(c);
          }
        }
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
