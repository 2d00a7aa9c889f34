package io.flywall.node;

import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.VirtualIpConfig;
import io.flywall.conntrack.ChildProcessLauncher;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.conntrack.ConntrackSyncSetup;
import io.flywall.conntrack.LinuxProcessTable;
import io.flywall.network.AnnouncementSchedule;
import io.flywall.network.CommandRunner;
import io.flywall.network.GratuitousAnnouncer;
import io.flywall.network.IprouteVipBackend;
import io.flywall.network.MissingTool;
import io.flywall.network.NeighborProbe;
import io.flywall.network.NetworkFeature;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.ProcessScriptRunner;
import io.flywall.network.ToolCheck;
import io.flywall.network.Vip;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Builds the real external effects (VIPs, scripts, monitors) a config asks for, or says why it
 * cannot.
 */
public final class NodeEffects {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private NodeEffects() {}

  public static Daemon.Effects real(FlywallConfig config, Clock clock) throws NodeStartException {
    HaConfig ha =
        config.replication().ha().orElseThrow(() -> new NodeStartException("no ha block"));
    List<MissingTool> missing = ToolCheck.ofProcessPath().missing(features(ha));
    if (!missing.isEmpty()) {
      throw new NodeStartException(
          missing.stream().map(MissingTool::message).collect(Collectors.joining("; "))
              + " (apt-get install the package named)");
    }
    CommandRunner commands = new ProcessCommandRunner();
    VipGroup vips =
        ha.virtualIps().isEmpty()
            ? VipGroup.none()
            : new NetworkVipGroup(
                vips(ha, v -> true),
                vips(ha, VirtualIpConfig::gratuitousArp),
                vips(ha, VirtualIpConfig::arpPing),
                new IprouteVipBackend(commands, COMMAND_TIMEOUT),
                new GratuitousAnnouncer(commands, COMMAND_TIMEOUT),
                new NeighborProbe(commands, clock),
                AnnouncementSchedule.standard(),
                Executors.newCachedThreadPool(Daemon.daemonThreads("flywall-announce")),
                clock);
    FailoverScripts scripts =
        new ScriptFiles(
            config.replication().nodeId(),
            ha.preFailoverScript(),
            ha.postFailoverScript(),
            ha.scriptTimeout(),
            ha.virtualIps().stream().map(v -> v.address().toString()).collect(Collectors.toList()),
            new ProcessScriptRunner(clock));
    // A sync that cannot run says why (status, alarm, log) but never stops failover from running.
    ConnectionSync connectionSync =
        new ConntrackSyncSetup(
                commands,
                ToolCheck.ofProcessPath(),
                new ChildProcessLauncher(),
                new LinuxProcessTable(),
                clock)
            .prepare(
                config,
                Executors.newSingleThreadScheduledExecutor(
                    Daemon.daemonThreads("flywall-conntrackd")));
    return new Daemon.Effects(vips, scripts, commands, connectionSync);
  }

  static List<Vip> vips(HaConfig ha, Predicate<VirtualIpConfig> which) {
    return ha.virtualIps().stream()
        .filter(which)
        .map(v -> new Vip(v.address().address(), v.address().prefixLength(), v.interfaceName()))
        .collect(Collectors.toList());
  }

  static Set<NetworkFeature> features(HaConfig ha) {
    Set<NetworkFeature> features = EnumSet.noneOf(NetworkFeature.class);
    for (VirtualIpConfig vip : ha.virtualIps()) {
      boolean v6 = vip.address().address() instanceof java.net.Inet6Address;
      features.add(v6 ? NetworkFeature.VIP_IPV6 : NetworkFeature.VIP_IPV4);
      if (vip.gratuitousArp()) {
        features.add(v6 ? NetworkFeature.UNSOLICITED_NA : NetworkFeature.GRATUITOUS_ARP);
      }
      if (vip.arpPing()) {
        features.add(v6 ? NetworkFeature.ARP_PING_IPV6 : NetworkFeature.ARP_PING_IPV4);
      }
    }
    if (!ha.monitorLinks().isEmpty()) {
      features.add(NetworkFeature.LINK_MONITOR);
    }
    if (!ha.monitorGateways().isEmpty()) {
      features.add(NetworkFeature.GATEWAY_MONITOR);
    }
    return features;
  }
}
