package io.flywall.node;

import io.flywall.cluster.ClusterKeys;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.PeerStatus;
import io.flywall.config.FlywallConfig;
import io.flywall.config.HostPort;
import io.flywall.config.ReplicationConfig;
import io.flywall.replication.PeerSources;
import io.flywall.replication.PrimaryTarget;
import io.flywall.replication.Replication;
import io.flywall.replication.ReplicationSettings;
import io.flywall.state.LogRetention;
import io.flywall.state.StateDatabase;
import io.flywall.state.StateStore;
import io.flywall.state.StateStoreException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Builds this node's state store and replication from the config and finds the primary to follow.
 */
final class StateReplication {
  private StateReplication() {}

  static Replication start(
      FlywallConfig config,
      Optional<Path> configFile,
      StateDatabase database,
      ClusterKeys keys,
      Clock clock,
      Supplier<Optional<PrimaryTarget>> primary,
      LongSupplier knownEpoch,
      BiConsumer<Boolean, Long> syncListener)
      throws NodeStartException {
    ReplicationConfig r = config.replication();
    HostPort listen = r.listenAddr();
    List<InetAddress> peers = new ArrayList<>();
    for (HostPort peer : replicationPeers(r)) {
      peers.add(ClusterPlan.resolve(peer, "peer").getAddress());
    }
    InetSocketAddress bind =
        listen.anyHost()
            ? new InetSocketAddress(SyncAddress.towards(peers), listen.port())
            : ClusterPlan.resolve(listen, "listen_addr");
    ReplicationSettings settings =
        new ReplicationSettings(
            r.nodeId(),
            bind,
            r.encryption(),
            r.compression(),
            r.batchSize(),
            r.syncInterval(),
            r.syncMode() == ReplicationConfig.SyncMode.SYNC,
            r.syncTimeout(),
            r.syncFiles(),
            configFile,
            new PeerSources(Set.copyOf(peers)));
    try {
      StateStore store =
          StateStore.open(
              database,
              r.nodeId(),
              clock,
              new LogRetention(r.logRetention(), LogRetention.DEFAULT.maxBytes()));
      return Replication.start(
          store,
          settings,
          keys.replicationKey(),
          clock,
          new SecureRandom(),
          primary,
          knownEpoch,
          syncListener);
    } catch (StateStoreException e) {
      throw new NodeStartException(e.getMessage(), e);
    } catch (IOException e) {
      throw new NodeStartException(
          "cannot listen for replication on "
              + bind
              + ": "
              + e.getMessage()
              + " (is another flywall running, or listen_addr's port taken?)",
          e);
    }
  }

  /** Every configured peer, whose host may connect to this node's replication listener. */
  private static List<HostPort> replicationPeers(ReplicationConfig r) {
    List<HostPort> peers = new ArrayList<>(r.peerAddrs());
    r.peerAddr().ifPresent(peers::add);
    r.primaryAddr().ifPresent(peers::add);
    return peers;
  }

  /**
   * Where the primary's replication listener is, from its last heartbeat: the address it announces,
   * with its host taken from the heartbeat's source when it listens on every address.
   */
  static Optional<PrimaryTarget> locate(String primaryId, HeartbeatReceiver receiver) {
    Optional<PeerStatus> peer = receiver.peers().get(primaryId);
    if (peer.isEmpty()) {
      return Optional.empty();
    }
    String announced = peer.get().lastHeartbeat().status().replicationAddress();
    int colon = announced.lastIndexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    String host = announced.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(announced.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
      return Optional.of(
          new PrimaryTarget(
              primaryId, new InetSocketAddress(peer.get().address().getAddress(), port)));
    }
    return Optional.of(new PrimaryTarget(primaryId, new InetSocketAddress(host, port)));
  }
}
