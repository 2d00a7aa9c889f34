package io.flywall.conntrack;

import io.flywall.config.ConntrackSyncConfig;
import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.HostPort;
import io.flywall.config.ReplicationConfig;
import io.flywall.network.CommandRunner;
import io.flywall.network.IpLink;
import io.flywall.network.Iproute;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.Tool;
import io.flywall.network.ToolCheck;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a config into the node's {@link ConnectionSync}: disabled without an enabled {@code
 * conntrack_sync} block; unavailable, with the reason, when conntrackd is missing or the sync link
 * cannot be found; otherwise a supervised conntrackd.
 */
public final class ConntrackSyncSetup {
  private static final Logger log = LoggerFactory.getLogger(ConntrackSyncSetup.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final CommandRunner commands;
  private final ToolCheck tools;
  private final ProcessLauncher launcher;
  private final Clock clock;

  public ConntrackSyncSetup(
      CommandRunner commands, ToolCheck tools, ProcessLauncher launcher, Clock clock) {
    this.commands = commands;
    this.tools = tools;
    this.launcher = launcher;
    this.clock = clock;
  }

  /** {@code scheduler} runs supervision and is shut down when the returned sync closes. */
  public ConnectionSync prepare(FlywallConfig config, ScheduledExecutorService scheduler) {
    ReplicationConfig replication = config.replication();
    Optional<ConntrackSyncConfig> block =
        replication.ha().flatMap(HaConfig::conntrackSync).filter(ConntrackSyncConfig::enabled);
    if (block.isEmpty()) {
      scheduler.shutdown();
      return ConnectionSync.disabled();
    }
    try {
      ConntrackdConf conf = conf(block.get(), replication);
      return new ConntrackdSync(
          conf,
          new ConntrackdControl(commands, conf.files().config()),
          new ConntrackdSupervisor(
              conf.files(),
              new ConntrackdControl(commands, conf.files().config()),
              launcher,
              RestartBackoff.standard()),
          clock,
          scheduler);
    } catch (ConntrackSyncException e) {
      scheduler.shutdown();
      log.error(
          "connection-state sync disabled: {}; failover works, but connections will not survive it",
          e.getMessage());
      return ConnectionSync.unavailable(e.getMessage());
    }
  }

  /** The conntrackd configuration for this node, or why there can be none. */
  public ConntrackdConf conf(ConntrackSyncConfig block, ReplicationConfig replication)
      throws ConntrackSyncException {
    if (!tools.present(Tool.CONNTRACKD)) {
      throw new ConntrackSyncException(
          "conntrackd not found on PATH: install the Debian package "
              + Tool.CONNTRACKD.debianPackage()
              + " (needed for conntrack_sync)");
    }
    String name = block.interfaceName();
    IpLink link;
    try {
      link =
          new Iproute(commands, COMMAND_TIMEOUT)
              .link(name)
              .orElseThrow(
                  () ->
                      new ConntrackSyncException(
                          "conntrack_sync.interface " + name + " does not exist on this node"));
    } catch (NetworkCommandException e) {
      throw new ConntrackSyncException(
          "cannot read conntrack_sync.interface " + name + ": " + e.getMessage());
    }
    SyncLink syncLink = SyncLink.derive(name, link.addresses(), peerAddresses(replication));
    return ConntrackdConf.of(
        syncLink,
        block.maxEntries(),
        block.syncInterval(),
        ConntrackdFiles.under(replication.stateDir()));
  }

  /**
   * Every peer address the config names, as IP addresses; names that do not resolve are left out.
   */
  static List<InetAddress> peerAddresses(ReplicationConfig replication) {
    Set<HostPort> hosts = new LinkedHashSet<>();
    replication.peerAddr().ifPresent(hosts::add);
    hosts.addAll(replication.peerAddrs());
    replication.primaryAddr().ifPresent(hosts::add);
    List<InetAddress> addresses = new ArrayList<>();
    for (HostPort host : hosts) {
      if (host.host().isEmpty()) {
        continue;
      }
      try {
        InetAddress address = InetAddress.getByName(host.host());
        if (!addresses.contains(address)) {
          addresses.add(address);
        }
      } catch (UnknownHostException e) {
        log.debug("peer host {} does not resolve; not a sync-link candidate", host.host());
      }
    }
    return addresses;
  }
}
