package io.flywall.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who should be primary among the nodes a controller can see: alive, healthy, competing nodes with
 * quorum; lowest priority wins, ties by node id; an in-sync candidate beats any that is not.
 */
final class Election {

  /** A node as the election sees it. */
  record Candidate(String nodeId, int priority, boolean inSync) {}

  private Election() {}

  static boolean isBetter(int priority, String nodeId, int otherPriority, String otherNodeId) {
    return priority < otherPriority
        || (priority == otherPriority && nodeId.compareTo(otherNodeId) < 0);
  }

  static Optional<Candidate> preferred(List<Candidate> candidates) {
    boolean anyInSync = candidates.stream().anyMatch(Candidate::inSync);
    Candidate best = null;
    for (Candidate c : candidates) {
      if (anyInSync && !c.inSync()) {
        continue;
      }
      if (best == null || isBetter(c.priority(), c.nodeId(), best.priority(), best.nodeId())) {
        best = c;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Peers that compete: not witnesses, healthy, with quorum in their own view, not in fault. */
  static List<Candidate> competingPeers(List<PeerTable.Peer> alivePeers) {
    List<Candidate> out = new ArrayList<>();
    for (PeerTable.Peer peer : alivePeers) {
      PeerHeartbeat hb = peer.last();
      if (hb.witness()
          || !hb.healthy()
          || !hb.hasQuorum()
          || hb.role() == Role.FAULT
          || hb.role() == Role.WITNESS) {
        continue;
      }
      out.add(new Candidate(hb.nodeId(), hb.priority(), hb.inSync()));
    }
    return out;
  }
}
