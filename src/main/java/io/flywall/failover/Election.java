package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Whether this backup should take over now: it must be healthy, see a quorum that has settled, hear
 * no current primary and no handover to another node, and be the preferred candidate among the
 * alive, healthy, competing nodes (lowest priority, ties by node id; an in-sync candidate beats any
 * that is not).
 */
final class Election {

  /** A node as the election sees it. */
  record Candidate(String nodeId, int priority, boolean inSync) {}

  /**
   * Whether an alive peer whose heartbeat says it has no quorum still competes. Its own object so
   * that the simulation can run the rule this replaced and show that it finds the bug.
   */
  @FunctionalInterface
  interface NoQuorumPeers {
    boolean compete(PeerTable.Peer peer, Instant now, Instant running);
  }

  /**
   * DESIGN 10.1: such a peer competes until it has had a failure_timeout to hear this node (counted
   * from when this node's heartbeats last started going out again — its first tick or the end of
   * its last pause — or from when it first heard this life of the peer): a node that sat alone
   * without quorum says so until it hears the nodes that just joined, or came back.
   */
  static NoQuorumPeers untilTheyCouldHearUs(Duration failureTimeout) {
    return (peer, now, running) -> {
      Instant couldHearUs = running.isAfter(peer.lifeSince()) ? running : peer.lifeSince();
      return now.isBefore(couldHearUs.plus(failureTimeout));
    };
  }

  private ControllerSettings settings;
  private final QuorumRule quorum;
  private final PeerTable peers;
  private final Duration failureTimeout;
  private final NoQuorumPeers noQuorumPeers;
  // When a non-primary told us of a newer epoch: some primary we cannot hear exists, so hold off.
  private Instant relayedEpochAt;
  // The rival primary we yielded to: while it is primary (heard as one, or followed by a voter at
  // our epoch) we do not compete with it.
  private String yieldedTo;

  Election(
      ControllerSettings settings,
      QuorumRule quorum,
      PeerTable peers,
      NoQuorumPeers noQuorumPeers) {
    this.settings = settings;
    this.quorum = quorum;
    this.peers = peers;
    this.failureTimeout = settings.failureTimeout();
    this.noQuorumPeers = noQuorumPeers;
  }

  /** A reload changed the priority. */
  void reconfigure(ControllerSettings next) {
    settings = next;
  }

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

  /**
   * Peers that compete: not witnesses, healthy, not in fault, with quorum in their own view (or one
   * that {@link NoQuorumPeers} lets compete without). A peer that is starting (its monitors not
   * judged yet) competes for a startup_hold from when it was first heard so: the preferred node of
   * a cold start is the last to send its first heartbeat as often as not, and its first heartbeats
   * cannot say it is healthy (issue #10: with failback manual the wrong winner kept the role).
   */
  List<Candidate> competingPeers(List<PeerTable.Peer> alivePeers, Instant now, Instant running) {
    List<Candidate> out = new ArrayList<>();
    for (PeerTable.Peer peer : alivePeers) {
      PeerHeartbeat hb = peer.last();
      if (hb.witness()
          || hb.standby()
          || !(hb.healthy() || starting(peer, now))
          || hb.role() == Role.FAULT
          || hb.role() == Role.WITNESS) {
        continue;
      }
      if (!hb.hasQuorum() && !noQuorumPeers.compete(peer, now, running)) {
        continue;
      }
      out.add(new Candidate(hb.nodeId(), hb.priority(), hb.inSync()));
    }
    return out;
  }

  private boolean starting(PeerTable.Peer peer, Instant now) {
    return peer.startingSince()
        .filter(since -> now.isBefore(since.plus(settings.startupHold())))
        .isPresent();
  }

  /** A non-primary relayed a newer epoch than any primary we hear. */
  void relayedEpoch(Instant now) {
    relayedEpochAt = now;
  }

  /** When a relayed newer epoch stops holding this node's claim off, if it does now. */
  Optional<Instant> holdOffEnds() {
    return relayedEpochAt == null
        ? Optional.empty()
        : Optional.of(relayedEpochAt.plus(failureTimeout));
  }

  /** This node stepped down for {@code rival}, which does not hear it. */
  void yieldedTo(String rival) {
    yieldedTo = rival;
  }

  /** This node took over: what held it back no longer applies. */
  void tookOver() {
    relayedEpochAt = null;
    yieldedTo = null;
  }

  /**
   * Why this healthy backup, which hands nothing over and has been sending heartbeats since {@code
   * running}, should take over now; empty if it should not.
   */
  Optional<String> verdict(Instant now, long knownEpoch, boolean inSync, Instant running) {
    int visible = visibleVoters(now);
    if (!quorum.isMetBy(visible)) {
      return Optional.empty();
    }
    // A majority that only just formed may still include voters that kept an isolated old
    // primary's quorum alive; count only voters heard without a gap for a failure_timeout,
    // by which time such a primary has lost its quorum and released its VIPs.
    if (quorum.isRequired()
        && !quorum.isMetBy(
            Math.min(1 + peers.settled(now, now.minus(failureTimeout)), quorum.voters()))) {
      return Optional.empty();
    }
    Optional<PeerTable.Peer> primary = peers.alivePrimary(now);
    if (primary.isPresent() && primary.get().last().epoch() >= knownEpoch) {
      return Optional.empty();
    }
    if (yieldedTo != null) {
      if (stillPrimary(yieldedTo, now, knownEpoch)) {
        return Optional.empty();
      }
      yieldedTo = null;
    }
    if (relayedEpochAt != null && now.isBefore(relayedEpochAt.plus(failureTimeout))) {
      return Optional.empty();
    }
    List<PeerTable.Peer> alive = peers.alive(now);
    if (handsOverToAnother(alive, knownEpoch)) {
      return Optional.empty();
    }
    List<Candidate> candidates = new ArrayList<>(competingPeers(alive, now, running));
    candidates.add(new Candidate(settings.nodeId(), settings.priority(), inSync));
    Candidate preferred = preferred(candidates).orElseThrow();
    if (!preferred.nodeId().equals(settings.nodeId())) {
      return Optional.empty();
    }
    return Optional.of(
        silentPrimary(now, knownEpoch)
            + "; preferred candidate among "
            + candidates.size()
            + " (priority "
            + settings.priority()
            + ", "
            + quorum.describe(visible)
            + ")");
  }

  /**
   * Whether {@code rival}, which this node yielded to, is still primary: it is heard as one, or a
   * voter at this node's epoch still follows it (a rival this node cannot hear).
   */
  private boolean stillPrimary(String rival, Instant now, long knownEpoch) {
    Optional<PeerTable.Peer> heard = peers.find(rival).filter(r -> peers.isAlive(r, now));
    if (heard.isPresent()) {
      return heard.get().last().role() == Role.PRIMARY;
    }
    for (PeerTable.Peer p : peers.alive(now)) {
      PeerHeartbeat hb = p.last();
      if (!hb.witness()
          && hb.epoch() >= knownEpoch
          && hb.followedPrimary().filter(rival::equals).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this backup would be the one to claim if the primaries it hears fell silent: it sees a
   * quorum, no handover to another node is under way, and it is preferred among the competing peers
   * that are not primary. Decides who probes the LAN during detection; it implies nothing about a
   * takeover, which {@link #verdict} alone decides (and whenever it would take over, this holds
   * too).
   */
  boolean wouldClaim(Instant now, long knownEpoch, boolean inSync, Instant running) {
    if (!quorum.isMetBy(visibleVoters(now))) {
      return false;
    }
    List<PeerTable.Peer> alive = peers.alive(now);
    if (handsOverToAnother(alive, knownEpoch)) {
      return false;
    }
    List<PeerTable.Peer> others = new ArrayList<>();
    for (PeerTable.Peer p : alive) {
      if (p.last().role() != Role.PRIMARY) {
        others.add(p);
      }
    }
    List<Candidate> candidates = new ArrayList<>(competingPeers(others, now, running));
    candidates.add(new Candidate(settings.nodeId(), settings.priority(), inSync));
    return preferred(candidates).orElseThrow().nodeId().equals(settings.nodeId());
  }

  private boolean handsOverToAnother(List<PeerTable.Peer> alive, long knownEpoch) {
    for (PeerTable.Peer p : alive) {
      Optional<Handover> h = p.last().handover();
      if (h.isPresent()
          && h.get().epoch() >= knownEpoch
          && !h.get().target().equals(settings.nodeId())) {
        return true;
      }
    }
    return false;
  }

  /** The best alive peer this primary may hand its role to, if any. */
  Optional<PeerTable.Peer> bestTarget(Instant now, Predicate<PeerTable.Peer> eligible) {
    PeerTable.Peer target = null;
    for (PeerTable.Peer p : peers.alive(now)) {
      if (eligible.test(p)
          && (target == null
              || isBetter(p.last().priority(), p.id(), target.last().priority(), target.id()))) {
        target = p;
      }
    }
    return Optional.ofNullable(target);
  }

  private int visibleVoters(Instant now) {
    return Math.min(1 + peers.alive(now).size(), quorum.voters());
  }

  private String silentPrimary(Instant now, long knownEpoch) {
    PeerTable.Peer last = null;
    for (PeerTable.Peer p : peers.all()) {
      if (p.last().role() == Role.PRIMARY
          && (last == null || p.last().epoch() > last.last().epoch())) {
        last = p;
      }
    }
    if (last == null) {
      return "no primary known";
    }
    if (peers.isAlive(last, now)) {
      return "primary "
          + last.id()
          + " has stale epoch "
          + last.last().epoch()
          + " < "
          + knownEpoch;
    }
    return "primary "
        + last.id()
        + " silent since "
        + last.lastSeen()
        + " (failure_timeout "
        + failureTimeout.toMillis()
        + " ms)";
  }
}
