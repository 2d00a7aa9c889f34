package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The configured addresses heartbeats are exchanged with, and the key that authenticates each: the
 * cluster's heartbeat key with nodes, the witness key with the witness. Datagrams from anywhere
 * else are not heartbeats of this cluster.
 */
public final class HeartbeatPeers {

  /** What is configured at one address. */
  record Peer(HeartbeatCodec codec, boolean witness) {}

  private final Map<InetSocketAddress, Peer> byAddress;
  private final HeartbeatCodec nodeCodec;

  private HeartbeatPeers(Map<InetSocketAddress, Peer> byAddress, HeartbeatCodec nodeCodec) {
    this.byAddress = Map.copyOf(byAddress);
    this.nodeCodec = nodeCodec;
  }

  /**
   * Nodes at {@code addresses} (resolved), all authenticated by {@code codec}.
   *
   * @throws IllegalArgumentException if an address is not resolved
   */
  public static HeartbeatPeers nodes(
      Collection<InetSocketAddress> addresses, HeartbeatCodec codec) {
    Objects.requireNonNull(codec, "codec");
    Map<InetSocketAddress, Peer> map = new HashMap<>();
    for (InetSocketAddress address : addresses) {
      map.put(requireResolved(address), new Peer(codec, false));
    }
    return new HeartbeatPeers(map, codec);
  }

  /** These peers plus the witness at {@code address}, authenticated by {@code witnessCodec}. */
  public HeartbeatPeers withWitness(InetSocketAddress address, HeartbeatCodec witnessCodec) {
    Objects.requireNonNull(witnessCodec, "witnessCodec");
    Map<InetSocketAddress, Peer> map = new HashMap<>(byAddress);
    map.put(requireResolved(address), new Peer(witnessCodec, true));
    return new HeartbeatPeers(map, nodeCodec);
  }

  /** The codec for datagrams to {@code destination}: the witness key for the witness. */
  public HeartbeatCodec codecFor(InetSocketAddress destination) {
    Peer peer = byAddress.get(destination);
    return peer == null ? nodeCodec : peer.codec();
  }

  public Set<InetSocketAddress> addresses() {
    return byAddress.keySet();
  }

  Optional<Peer> at(InetSocketAddress address) {
    return address == null ? Optional.empty() : Optional.ofNullable(byAddress.get(address));
  }

  boolean isWitness(InetSocketAddress address) {
    Peer peer = byAddress.get(address);
    return peer != null && peer.witness();
  }

  private static InetSocketAddress requireResolved(InetSocketAddress address) {
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("peer address " + address + " is not resolved");
    }
    return address;
  }
}
