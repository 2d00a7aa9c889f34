package io.flywall.node;

import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.ScriptPermissions;
import io.flywall.config.VirtualIpConfig;
import io.flywall.conntrack.ChildProcessLauncher;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.conntrack.ConntrackSyncSetup;
import io.flywall.conntrack.LinuxProcessTable;
import io.flywall.network.AnnouncementSchedule;
import io.flywall.network.CommandRunner;
import io.flywall.network.GratuitousAnnouncer;
import io.flywall.network.IprouteVipBackend;
import io.flywall.network.LinkMonitor;
import io.flywall.network.MissingTool;
import io.flywall.network.NeighborProbe;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.NetworkFeature;
import io.flywall.network.NetworkVipGroup;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.ProcessScriptRunner;
import io.flywall.network.ToolCheck;
import io.flywall.network.Vip;
import io.flywall.network.VipGroup;
import io.flywall.network.VipInterfaceWatch;
import io.flywall.network.kernel.NetNamespace;
import io.flywall.network.kernel.NetworkPlane;
import io.flywall.network.kernel.PendingPlane;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the real external effects (VIPs, scripts, monitors) a config asks for, or says why it
 * cannot. The network plane is the native one where it starts, else the iproute2/arping fallback
 * with the alarm {@code native_network_unavailable}; it opens while the rest of the node starts.
 */
public final class NodeEffects {
  private static final Logger log = LoggerFactory.getLogger(NodeEffects.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private NodeEffects() {}

  public static Daemon.Effects real(FlywallConfig config, Clock clock) throws NodeStartException {
    HaConfig ha =
        config.replication().ha().orElseThrow(() -> new NodeStartException("no ha block"));
    CommandRunner commands = new ProcessCommandRunner();
    NetworkAlarms alarms = new NetworkAlarms();
    alarms.listen(
        (name, detail, raised) -> {
          if (raised) {
            log.warn("ALARM {}: {}", name, detail);
          } else {
            log.info("alarm {} cleared: {}", name, detail);
          }
        });
    // What has no native form (the gateway monitor's ping) is checked now, as before.
    List<MissingTool> missing = ToolCheck.ofProcessPath().missing(features(ha, true));
    if (!missing.isEmpty()) {
      throw new NodeStartException(
          missing.stream().map(MissingTool::message).collect(Collectors.joining("; "))
              + " (apt-get install the package named)");
    }
    keepJnaLibraryIn(config.replication().stateDir());
    // The plane opens while the rest of the node starts; its pieces wait for it on first use.
    long opening = System.nanoTime();
    PendingPlane plane =
        PendingPlane.start(
            () ->
                openPlane(
                    ha,
                    alarms,
                    new NetworkPlane.Fallback(
                        new IprouteVipBackend(commands, COMMAND_TIMEOUT),
                        new GratuitousAnnouncer(commands, COMMAND_TIMEOUT),
                        new NeighborProbe(commands, clock),
                        new LinkMonitor(commands, Duration.ofSeconds(2))),
                    clock,
                    opening));
    // Also without VIPs: a reload may add some.
    VipGroup vips =
        new NetworkVipGroup(
            vips(ha, v -> true),
            vips(ha, VirtualIpConfig::gratuitousArp),
            vips(ha, VirtualIpConfig::arpPing),
            plane.vips(),
            plane.announcer(),
            plane.arpPing(),
            AnnouncementSchedule.standard(),
            Executors.newCachedThreadPool(Daemon.daemonThreads("flywall-announce")),
            clock,
            alarms);
    // On every link event, and each second as a safety net (the fallback has no events).
    VipInterfaceWatch vipInterfaces = new VipInterfaceWatch(vips::state, plane.links(), alarms);
    Runnable checkVipInterfaces =
        () -> {
          try {
            vipInterfaces.check();
          } catch (RuntimeException e) {
            log.warn("checking the VIPs' interfaces failed: {}", e.getMessage());
          }
        };
    plane.links().onChange(checkVipInterfaces);
    Executors.newSingleThreadScheduledExecutor(Daemon.daemonThreads("flywall-vip-interfaces"))
        .scheduleWithFixedDelay(checkVipInterfaces, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    FailoverScripts scripts = scripts(config, clock);
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
    return new Daemon.Effects(vips, scripts, commands, connectionSync, plane.links());
  }

  /**
   * JNA unpacks its native library into the user's cache directory by default, which the systemd
   * unit mounts read-only (ProtectHome); the state directory is always writable and executable.
   */
  static void keepJnaLibraryIn(java.nio.file.Path stateDir) {
    if (System.getProperty("jna.tmpdir") == null) {
      System.setProperty("jna.tmpdir", stateDir.resolve("jna").toString());
    }
  }

  /**
   * The native plane, or the fallback where it cannot start; a fallback whose OS tools are missing
   * cannot work, and the node cannot start (the first use says which package to install).
   */
  private static NetworkPlane openPlane(
      HaConfig ha,
      NetworkAlarms alarms,
      NetworkPlane.Fallback fallback,
      Clock clock,
      long openingSince) {
    NetworkPlane plane =
        NetworkPlane.open(
            NetNamespace.current(),
            fallback,
            clock,
            NetworkPlane.Settings.forHeartbeat(ha.heartbeatInterval()),
            alarms);
    log.info(
        "network plane: {} of 4 pieces native (VIPs, announcements, arp_ping, link events), ready"
            + " in {} ms",
        plane.nativePieces(),
        (System.nanoTime() - openingSince) / 1_000_000);
    if (!plane.fullyNative()) {
      List<MissingTool> missing = ToolCheck.ofProcessPath().missing(features(ha, false));
      if (!missing.isEmpty()) {
        plane.close();
        throw new NetworkCommandException(
            missing.stream().map(MissingTool::message).collect(Collectors.joining("; "))
                + " (apt-get install the package named; the native network plane is unavailable,"
                + " see alarm native_network_unavailable)");
      }
    }
    return plane;
  }

  /** The pre/post failover scripts of {@code config}. */
  static FailoverScripts scripts(FlywallConfig config, Clock clock) {
    HaConfig ha = config.replication().ha().orElseThrow();
    return new ScriptFiles(
        config.replication().nodeId(),
        ha.preFailoverScript(),
        ha.postFailoverScript(),
        ha.scriptTimeout(),
        ha.virtualIps().stream().map(v -> v.address().toString()).collect(Collectors.toList()),
        new ProcessScriptRunner(clock, ScriptPermissions::problem));
  }

  static List<Vip> vips(HaConfig ha, Predicate<VirtualIpConfig> which) {
    return ha.virtualIps().stream()
        .filter(which)
        .map(v -> new Vip(v.address().address(), v.address().prefixLength(), v.interfaceName()))
        .collect(Collectors.toList());
  }

  static Set<NetworkFeature> features(HaConfig ha) {
    return features(ha, false);
  }

  /** What the config needs; with a fully native plane, only what has no native form. */
  static Set<NetworkFeature> features(HaConfig ha, boolean nativePlane) {
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
    if (nativePlane) {
      features.retainAll(EnumSet.of(NetworkFeature.GATEWAY_MONITOR, NetworkFeature.CONNTRACK_SYNC));
    }
    return features;
  }
}
