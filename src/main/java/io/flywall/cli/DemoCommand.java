package io.flywall.cli;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.lab.Pinger;
import io.flywall.network.CommandResult;
import io.flywall.network.MissingTool;
import io.flywall.network.NetworkFeature;
import io.flywall.network.ToolCheck;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flywall demo}: a two-node cluster in a throw-away network lab, a client pinging a server
 * through the VIPs, the primary powered off, and the client's measured outage.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Show a failover end to end in a throw-away lab of network namespaces (needs root).",
      "It builds a client, two firewall nodes and a server, starts two flywall nodes with VIPs,"
          + " powers off the primary while the client pings the server through the VIP, shows the"
          + " takeover and the client's measured outage, then removes everything it created.",
      "From a source checkout, bin/flywall demo run as root first installs the OS packages the"
          + " demo needs."
    })
final class DemoCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--heartbeat",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description =
          "The heartbeat_interval of the demo cluster (default: ${DEFAULT-VALUE});"
              + " failure_threshold stays 3.")
  String heartbeat;

  private PrintWriter out;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Optional<String> unavailable = NetLab.unavailableReason();
    if (unavailable.isPresent()) {
      throw new UserError("demo: " + unavailable.get());
    }
    List<MissingTool> missing =
        ToolCheck.ofProcessPath()
            .missing(
                EnumSet.of(
                    NetworkFeature.VIP_IPV4,
                    NetworkFeature.GRATUITOUS_ARP,
                    NetworkFeature.ARP_PING_IPV4,
                    NetworkFeature.LINK_MONITOR,
                    NetworkFeature.GATEWAY_MONITOR));
    if (!missing.isEmpty()) {
      throw new UserError(
          "demo: " + missing.stream().map(MissingTool::message).collect(Collectors.joining("; ")),
          127);
    }
    say("Building the lab: client -- LAN -- [n1, n2] -- WAN -- server, plus a sync network ...");
    Path dir = Files.createTempDirectory("flywall-demo");
    try (NetLab lab = NetLab.up(2);
        LabCluster cluster =
            new LabCluster(
                lab,
                dir,
                LabCluster.javaCommandForThisJar(),
                LabCluster.Settings.defaults().withHeartbeat(heartbeat, 3))) {
      say(
          "Lab "
              + lab.prefix()
              + ": LAN VIP "
              + lab.get("LAN_VIP")
              + ", WAN VIP "
              + lab.get("WAN_VIP")
              + "; the client's gateway is the LAN VIP. Node logs: "
              + dir);
      cluster.startAll();
      say("Starting n1 (priority 50) and n2 (priority 100); waiting for the election ...");
      waitFor(
          "n1 to hold the VIPs",
          Duration.ofSeconds(60),
          () -> cluster.lanVipHolders().equals(List.of(1)));
      waitFor(
          "the client to reach the server", Duration.ofSeconds(20), cluster::clientReachesServer);
      show(cluster.cli(1, "ha", "cluster"));

      say(
          "The client pings the server through the VIP every 10 ms. Powering off n1 (links down, then kill -9) ...");
      try (Pinger ping = Pinger.start(lab.clientNamespace(), lab.get("SERVER_IP"), 10, 3000)) {
        waitFor("the first replies", Duration.ofSeconds(10), () -> ping.received() > 50);
        Instant off = Instant.now();
        cluster.powerOff(1);
        say(
            String.format(
                "n1 is off (that took %d ms).", Duration.between(off, Instant.now()).toMillis()));
        waitFor(
            "n2 to take over",
            Duration.ofSeconds(60),
            () -> cluster.lanVipHolders().equals(List.of(2)));
        say(
            String.format(
                "n2 holds the VIPs %d ms after the power-off.",
                Duration.between(off, Instant.now()).toMillis()));
        int before = ping.received();
        waitFor(
            "client traffic to flow again",
            Duration.ofSeconds(30),
            () -> ping.received() > before + 100);
        Pinger.Outage outage = ping.finish();
        show(cluster.cli(2, "ha", "status"));
        show(cluster.cli(2, "ha", "history", "--limit", "3"));
        say(
            String.format(
                "Client-measured outage (longest gap between ping replies): %.0f ms.",
                outage.longestGapMs()));
        say(
            "Detection takes failure_timeout ("
                + heartbeat
                + " x 3) from the last heartbeat n2 heard; the VIP probe (arp_ping) runs during"
                + " it, so only the takeover's steps follow (each timed in the history above).");
      }
      say("Cleaning up the lab ...");
    } finally {
      deleteTree(dir);
    }
    say("Done.");
    return 0;
  }

  private void say(String line) {
    out.println("==> " + line);
    out.flush();
  }

  private void show(CommandResult result) {
    out.println(result.stdout().isBlank() ? result.describe() : result.stdout().stripTrailing());
    out.println();
    out.flush();
  }

  private static void waitFor(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new UserError("demo: gave up waiting " + limit.toSeconds() + " s for " + what);
      }
      Thread.sleep(100);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // A temp directory left behind is harmless.
    }
  }
}
