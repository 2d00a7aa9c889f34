package io.flywall.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The arp_ping partition guard: before claiming, asks the LAN whether anyone still answers for a
 * VIP. IPv4 with {@code arping -c 2 -w 1}, IPv6 with {@code ndisc6 -1 -r 2 -w 500}; each probe is
 * bounded to about one second. Our own MAC never counts as an answer.
 */
public final class NeighborProbe implements ArpPing {

  private static final Pattern ARP_REPLY =
      Pattern.compile(
          "^(?:Unicast|Broadcast) reply from \\S+ \\[([0-9A-Fa-f:]{17})\\]", Pattern.MULTILINE);
  private static final Pattern NA_TARGET =
      Pattern.compile("^Target link-layer address: ([0-9A-Fa-f:]{17})", Pattern.MULTILINE);

  /** The tools bound themselves to about 1 s; this only catches a tool that hangs. */
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(3);

  private final CommandRunner runner;
  private final Iproute iproute;
  private final Clock clock;

  public NeighborProbe(CommandRunner runner, Clock clock) {
    this.runner = runner;
    this.iproute = new Iproute(runner, TOOL_TIMEOUT);
    this.clock = clock;
  }

  /** Probes one VIP; throws {@link NetworkCommandException} when the probe itself cannot run. */
  public ProbeAnswer probe(Vip vip) {
    Instant start = clock.instant();
    MacAddress own = iproute.macOf(vip.interfaceName());
    CommandResult result = runner.run(command(vip), TOOL_TIMEOUT);
    // arping exits 1 when fewer replies than probes came back, ndisc6 exits 2 on no reply:
    // only the output says who answered. A tool error leaves nothing on stdout and says why on
    // stderr.
    List<MacAddress> answerers =
        vip.ipv6() ? parseNdisc6(result.stdout()) : parseArping(result.stdout());
    if (answerers.isEmpty() && (result.timedOut() || failedToRun(vip, result))) {
      throw NetworkCommandException.of("arp_ping probe for " + vip + " failed", result);
    }
    List<MacAddress> foreign = answerers.stream().filter(mac -> !mac.equals(own)).toList();
    return new ProbeAnswer(vip, foreign, Duration.between(start, clock.instant()));
  }

  /** Each probe runs its own arping or ndisc6 process: nothing stays open between them. */
  @Override
  public void prepare(Collection<Vip> vips) {}

  /** Probes several VIPs at once, so claiming N VIPs waits about one probe, not N. */
  @Override
  public List<ProbeAnswer> probeAll(Collection<Vip> vips) {
    if (vips.isEmpty()) {
      return List.of();
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(vips.size(), 8),
            runnable -> {
              Thread thread = new Thread(runnable, "arp-ping");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<CompletableFuture<ProbeAnswer>> pending = new ArrayList<>();
      for (Vip vip : vips) {
        pending.add(CompletableFuture.supplyAsync(() -> probe(vip), pool));
      }
      List<ProbeAnswer> answers = new ArrayList<>();
      for (CompletableFuture<ProbeAnswer> future : pending) {
        try {
          answers.add(future.join());
        } catch (java.util.concurrent.CompletionException e) {
          if (e.getCause() instanceof NetworkCommandException failure) {
            throw failure;
          }
          throw e;
        }
      }
      return answers;
    } finally {
      pool.shutdownNow();
    }
  }

  static List<String> command(Vip vip) {
    if (vip.ipv6()) {
      return List.of("ndisc6", "-n", "-1", "-r", "2", "-w", "500", vip.host(), vip.interfaceName());
    }
    return List.of("arping", "-c", "2", "-w", "1", "-I", vip.interfaceName(), vip.host());
  }

  static List<MacAddress> parseArping(String output) {
    return macs(ARP_REPLY.matcher(output));
  }

  static List<MacAddress> parseNdisc6(String output) {
    return macs(NA_TARGET.matcher(output));
  }

  private static boolean failedToRun(Vip vip, CommandResult result) {
    // ndisc6 "No response." and arping's "Received 0 response(s)" are answers, not failures.
    return vip.ipv6()
        ? result.exitCode() != 0 && !result.stdout().contains("No response")
        : result.exitCode() != 0 && !result.stdout().contains("Received 0 response");
  }

  private static List<MacAddress> macs(Matcher matcher) {
    Set<MacAddress> found = new LinkedHashSet<>();
    while (matcher.find()) {
      found.add(MacAddress.of(matcher.group(1)));
    }
    return List.copyOf(found);
  }
}
