package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Ties node ids to the configured addresses they speak from. The config lists addresses, not which
 * node id sits at each, so the first authenticated, fresh heartbeat from an address pins its node
 * id there for the life of this process: afterwards that address may speak only for that id, and
 * that id only from that address. A key holder can therefore not pose as another node, nor be
 * several voters at once.
 *
 * <p>One exception keeps a witness from squatting: an id first heard from the witness's address
 * moves to a node's address when a node (holding the full secret) claims it, and the witness may
 * then no longer use it. Not thread-safe; {@link HeartbeatReceiver} serialises access.
 */
final class AddressBinding {

  private final Map<String, InetSocketAddress> addressOfId = new HashMap<>();
  private final Map<InetSocketAddress, String> idAtAddress = new HashMap<>();

  /**
   * Why {@code nodeId} may not speak from {@code source}, or empty if it may.
   *
   * @param peers tells which configured address is the witness's
   */
  Optional<Reception.Rejected> check(
      String nodeId, InetSocketAddress source, HeartbeatPeers peers) {
    String pinnedId = idAtAddress.get(source);
    if (pinnedId != null && !pinnedId.equals(nodeId)) {
      return Optional.of(
          new Reception.Rejected(
              RejectReason.WRONG_ADDRESS,
              "address "
                  + describe(source)
                  + " speaks for node_id "
                  + pinnedId
                  + " (its first heartbeat) but now claims "
                  + nodeId
                  + "; if that node was renamed, restart this daemon"));
    }
    InetSocketAddress pinnedAddress = addressOfId.get(nodeId);
    if (pinnedAddress != null && !pinnedAddress.equals(source)) {
      boolean nodeReclaimsFromWitness = !peers.isWitness(source) && peers.isWitness(pinnedAddress);
      if (!nodeReclaimsFromWitness) {
        return Optional.of(
            new Reception.Rejected(
                RejectReason.WRONG_ADDRESS,
                "node_id "
                    + nodeId
                    + " speaks from "
                    + describe(pinnedAddress)
                    + " but this heartbeat came from "
                    + describe(source)
                    + "; two nodes share a node_id, or one moved (then restart this daemon)"));
      }
    }
    return Optional.empty();
  }

  /** Records that {@code nodeId} speaks from {@code source}; call after {@link #check} passed. */
  void pin(String nodeId, InetSocketAddress source) {
    InetSocketAddress previous = addressOfId.put(nodeId, source);
    if (previous != null && !previous.equals(source)) {
      idAtAddress.remove(previous);
    }
    idAtAddress.put(source, nodeId);
  }

  private static String describe(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
