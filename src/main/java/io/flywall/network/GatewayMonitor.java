package io.flywall.network;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Probes gateways with one ICMP echo each ({@code ping -n -c 1 -W 1}), IPv4 or IPv6. */
public final class GatewayMonitor {

  private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");

  /** ping bounds itself with -W 1; this only catches a ping that hangs. */
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(3);

  private final CommandRunner runner;

  public GatewayMonitor(CommandRunner runner) {
    this.runner = runner;
  }

  /** One echo; no answer within a second, or a ping that cannot run, is "not answered". */
  public GatewayState probe(InetAddress gateway) {
    CommandResult result = runner.run(command(gateway), TOOL_TIMEOUT);
    // ping exits 0 only when a reply came back; 1 is no reply, 2 an error (e.g. no route).
    return new GatewayState(
        gateway, result.ok(), result.ok() ? rtt(result.stdout()) : Optional.empty());
  }

  public List<GatewayState> probeAll(Collection<InetAddress> gateways) {
    return gateways.stream().map(this::probe).toList();
  }

  static List<String> command(InetAddress gateway) {
    return List.of("ping", "-n", "-c", "1", "-W", "1", gateway.getHostAddress());
  }

  static Optional<Duration> rtt(String output) {
    Matcher matcher = RTT.matcher(output);
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(
        Duration.ofNanos(Math.round(Double.parseDouble(matcher.group(1)) * 1_000_000)));
  }
}
