package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest known status of every peer, keyed by node id. Written by the receive path, read by
 * anyone (API, sender echo) without locking: entries are immutable and replaced whole.
 */
public final class PeerTable {

  private final Map<String, PeerStatus> peers = new ConcurrentHashMap<>();

  public Optional<PeerStatus> get(String nodeId) {
    return Optional.ofNullable(peers.get(nodeId));
  }

  /** The peer whose latest heartbeat came from {@code address}, if any. */
  public Optional<PeerStatus> heardFrom(InetSocketAddress address) {
    return peers.values().stream()
        .filter(peer -> peer.address().equals(address))
        .max(Comparator.comparing(PeerStatus::lastSeen));
  }

  /** Every known peer, ordered by node id. */
  public List<PeerStatus> all() {
    return peers.values().stream().sorted(Comparator.comparing(PeerStatus::nodeId)).toList();
  }

  PeerStatus record(ReceivedHeartbeat received) {
    Heartbeat heartbeat = received.heartbeat();
    return peers.compute(
        heartbeat.nodeId(),
        (nodeId, previous) ->
            new PeerStatus(
                nodeId,
                received.source(),
                received.receivedAt(),
                heartbeat,
                received.rtt().isPresent() || previous == null ? received.rtt() : previous.rtt(),
                previous == null ? 1 : previous.receivedCount() + 1));
  }
}
