package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The controller's memory of its peers: last heartbeat, when it arrived, and since when the peer
 * has been continuously fit to take the role back (failback). Liveness is always judged against the
 * instant asked about, so a node resuming from a pause sees its stale view at once.
 */
final class PeerTable {

  /** One peer; mutable, owned by the table. */
  static final class Peer {
    private PeerHeartbeat last;
    private Instant lastSeen;
    private Instant fitSince;
    private Instant aliveSince;
    private Instant lifeSince;
    private Instant startingSince;

    PeerHeartbeat last() {
      return last;
    }

    Instant lastSeen() {
      return lastSeen;
    }

    Instant aliveSince() {
      return aliveSince;
    }

    /**
     * Since when this life of the peer has been heard without a gap: like {@link #aliveSince} but
     * also restarted by a new boot id (a peer that restarted within a failure_timeout, or whose old
     * heartbeats were read late, never looked dead).
     */
    Instant lifeSince() {
      return lifeSince;
    }

    Optional<Instant> fitSince() {
      return Optional.ofNullable(fitSince);
    }

    /** Since when the peer has said, without a gap, that its health is not judged yet. */
    Optional<Instant> startingSince() {
      return Optional.ofNullable(startingSince);
    }

    String id() {
      return last.nodeId();
    }
  }

  private final Duration failureTimeout;
  // Sorted by node id so that every iteration, and thus every decision, is deterministic.
  private final Map<String, Peer> peers = new TreeMap<>();

  PeerTable(Duration failureTimeout) {
    this.failureTimeout = failureTimeout;
  }

  void observe(PeerHeartbeat hb, Instant now) {
    Peer peer = peers.computeIfAbsent(hb.nodeId(), id -> new Peer());
    boolean wasAlive = peer.last != null && isAlive(peer, now);
    boolean sameLife = wasAlive && peer.last.bootId() == hb.bootId();
    peer.last = hb;
    peer.lastSeen = now;
    if (!wasAlive) {
      peer.aliveSince = now;
    }
    if (!sameLife) {
      peer.lifeSince = now;
    }
    if (!hb.healthPending()) {
      peer.startingSince = null;
    } else if (peer.startingSince == null || !sameLife) {
      peer.startingSince = now;
    }
    boolean fit =
        !hb.witness() && hb.role() == Role.BACKUP && hb.healthy() && hb.inSync() && hb.hasQuorum();
    if (!fit) {
      peer.fitSince = null;
    } else if (peer.fitSince == null || !wasAlive) {
      peer.fitSince = now;
    }
  }

  boolean isAlive(Peer peer, Instant now) {
    return !now.isAfter(peer.lastSeen.plus(failureTimeout));
  }

  List<Peer> alive(Instant now) {
    List<Peer> alive = new ArrayList<>();
    for (Peer peer : peers.values()) {
      if (isAlive(peer, now)) {
        alive.add(peer);
      }
    }
    return alive;
  }

  /** Alive peers heard without a gap since at least {@code settledSince}. */
  int settled(Instant now, Instant settledSince) {
    int count = 0;
    for (Peer peer : alive(now)) {
      if (!peer.aliveSince.isAfter(settledSince)) {
        count++;
      }
    }
    return count;
  }

  Optional<Peer> find(String nodeId) {
    return Optional.ofNullable(peers.get(nodeId));
  }

  List<Peer> all() {
    return List.copyOf(peers.values());
  }

  /** When a heartbeat from a peer that says it is primary last arrived, if one ever did. */
  Optional<Instant> lastHeardPrimary() {
    Instant last = null;
    for (Peer peer : peers.values()) {
      if (peer.last.role() == Role.PRIMARY && (last == null || peer.lastSeen.isAfter(last))) {
        last = peer.lastSeen;
      }
    }
    return Optional.ofNullable(last);
  }

  /** The alive primary with the highest epoch (ties: the better one), if any. */
  Optional<Peer> alivePrimary(Instant now) {
    Peer best = null;
    for (Peer peer : alive(now)) {
      PeerHeartbeat hb = peer.last;
      if (hb.role() != Role.PRIMARY) {
        continue;
      }
      if (best == null
          || hb.epoch() > best.last.epoch()
          || (hb.epoch() == best.last.epoch()
              && Election.isBetter(
                  hb.priority(), hb.nodeId(), best.last.priority(), best.last.nodeId()))) {
        best = peer;
      }
    }
    return Optional.ofNullable(best);
  }
}
