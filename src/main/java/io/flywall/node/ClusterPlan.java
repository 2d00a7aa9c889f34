package io.flywall.node;

import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.HostPort;
import io.flywall.config.ReplicationConfig;
import io.flywall.config.VirtualIpConfig;
import io.flywall.failover.ControllerSettings;
import io.flywall.failover.FailbackMode;
import io.flywall.failover.QuorumMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one node does, derived once from its config: whom it sends heartbeats to, where it listens,
 * and the controller's settings. Addresses are resolved here, at start.
 */
public record ClusterPlan(
    String nodeId,
    InetSocketAddress heartbeatBind,
    List<InetSocketAddress> peers,
    Optional<InetSocketAddress> witness,
    String replicationAddress,
    Path stateDir,
    ControllerSettings controller,
    List<VirtualIpConfig> vips) {

  public ClusterPlan {
    peers = List.copyOf(peers);
    vips = List.copyOf(vips);
  }

  /** Every address heartbeats go to: the peers and the witness. */
  public List<InetSocketAddress> destinations() {
    List<InetSocketAddress> all = new ArrayList<>(peers);
    witness.ifPresent(all::add);
    return all;
  }

  public static ClusterPlan of(FlywallConfig config) throws NodeStartException {
    ReplicationConfig replication = config.replication();
    HaConfig ha =
        replication
            .ha()
            .filter(HaConfig::enabled)
            .orElseThrow(
                () ->
                    new NodeStartException(
                        "the config has no 'ha' block with enabled = true; 'flywall run' needs one"));
    List<InetSocketAddress> peers = new ArrayList<>();
    for (HostPort peer : replication.heartbeatPeers()) {
      peers.add(resolve(peer, "peer"));
    }
    Optional<InetSocketAddress> witness =
        ha.witnessAddr().isPresent()
            ? Optional.of(resolve(ha.witnessAddr().get(), "witness_addr"))
            : Optional.empty();
    HostPort listen = replication.heartbeatListen();
    InetSocketAddress bind =
        listen.anyHost() ? new InetSocketAddress(listen.port()) : resolve(listen, "listen_addr");
    boolean probe = ha.virtualIps().stream().anyMatch(VirtualIpConfig::arpPing);
    ControllerSettings settings =
        new ControllerSettings(
            replication.nodeId(),
            ha.priority(),
            FailbackMode.valueOf(ha.failbackMode().name()),
            ha.failbackDelay(),
            ha.failbackWindow(),
            ha.heartbeatInterval(),
            ha.failureTimeout(),
            QuorumMode.valueOf(ha.quorum().name()),
            peers.size(),
            witness.isPresent(),
            probe,
            ha.startupHold());
    return new ClusterPlan(
        replication.nodeId(),
        bind,
        peers,
        witness,
        replication.listenAddr().toString(),
        replication.stateDir(),
        settings,
        ha.virtualIps());
  }

  static InetSocketAddress resolve(HostPort address, String what) throws NodeStartException {
    InetSocketAddress resolved = new InetSocketAddress(address.host(), address.port());
    if (resolved.isUnresolved()) {
      throw new NodeStartException(
          "cannot resolve "
              + what
              + " host '"
              + address.host()
              + "'; use an IP address or fix name resolution");
    }
    return resolved;
  }
}
