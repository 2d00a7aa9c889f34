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
 * cannot be found; otherwise a supervised conntrackd for each peer on the sync link.
 */
public final class ConntrackSyncSetup {
  private static final Logger log = LoggerFactory.getLogger(ConntrackSyncSetup.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

  private final CommandRunner commands;
  private final ToolCheck tools;
  private final ProcessLauncher launcher;
  private final ProcessTable processes;
  private final Clock clock;
  private final PairPorts ports = PairPorts.standard();

  /** {@code processes} is where a conntrackd left running by a killed daemon is looked for. */
  public ConntrackSyncSetup(
      CommandRunner commands,
      ToolCheck tools,
      ProcessLauncher launcher,
      ProcessTable processes,
      Clock clock) {
    this.commands = commands;
    this.tools = tools;
    this.launcher = launcher;
    this.processes = processes;
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
      List<ConntrackdSync.Channel> channels = new ArrayList<>();
      List<ConntrackdConf> confs = confs(block.get(), replication);
      for (ConntrackdConf conf : confs) {
        ConntrackdControl control = new ConntrackdControl(commands, conf.files().config());
        channels.add(
            new ConntrackdSync.Channel(
                conf,
                control,
                new ConntrackdSupervisor(
                    conf.files(),
                    control,
                    launcher,
                    RestartBackoff.standard(),
                    new OrphanedConntrackd(processes, ConntrackdSupervisor.STOP_GRACE))));
      }
      return new ConntrackdSync(
          channels,
          new SyncPortGuard(commands, confs, ConntrackdFiles.root(replication.stateDir())),
          block.get().syncInterval(),
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

  /**
   * The conntrackd configurations of this node, one per peer on the sync link, or why there can be
   * none.
   */
  public List<ConntrackdConf> confs(ConntrackSyncConfig block, ReplicationConfig replication)
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
    List<SyncLink> links = SyncLink.toEveryPeer(name, link.addresses(), peerAddresses(replication));
    Set<InetAddress> cluster = new LinkedHashSet<>();
    for (SyncLink l : links) {
      cluster.add(l.localAddress());
      cluster.add(l.peerAddress());
    }
    List<ConntrackdConf> confs = new ArrayList<>();
    for (SyncLink l : links) {
      confs.add(
          ConntrackdConf.of(
              l,
              ports.port(l.localAddress(), l.peerAddress(), cluster),
              block.maxEntries(),
              block.syncInterval(),
              ConntrackdFiles.forPeer(replication.stateDir(), l.peerAddress()),
              cluster));
    }
    return List.copyOf(confs);
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
