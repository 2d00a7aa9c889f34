package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a primary may stay primary: epoch fencing (a newer epoch, or the same epoch held by a
 * preferred primary, makes it step down), rival primaries at its own epoch (it raises its epoch,
 * and yields to a rival that keeps its role without hearing it), and quorum (self-fencing).
 */
final class Fencing {

  /** What the primary must do. */
  sealed interface Verdict {
    /** Stay primary. */
    record Stay() implements Verdict {}

    /** Release the role; {@code yieldTo} names a rival primary that does not hear this node. */
    record StepDown(TransitionType type, String cause, Optional<String> yieldTo)
        implements Verdict {}

    /** Raise the own epoch past a less preferred rival at the same epoch, so it steps down. */
    record Reassert(String rival, long rivalEpoch) implements Verdict {}
  }

  private static final Verdict STAY = new Verdict.Stay();

  private ControllerSettings settings;
  private final QuorumRule quorum;
  private final PeerTable peers;
  // A rival primary this primary sees, and since when; one that outlives our announcements cannot
  // hear us.
  private String rivalId;
  private Instant rivalSince;
  // An operator promoted this node without quorum: self-fencing waits until quorum returns.
  private boolean forced;

  /** A reload changed the priority. */
  void reconfigure(ControllerSettings next) {
    settings = next;
  }

  Fencing(ControllerSettings settings, QuorumRule quorum, PeerTable peers) {
    this.settings = settings;
    this.quorum = quorum;
    this.peers = peers;
  }

  /** This node became primary; {@code withoutQuorum} if an operator forced it so. */
  void tookOver(boolean withoutQuorum) {
    forced = withoutQuorum;
    rivalId = null;
    rivalSince = null;
  }

  /** This node is no longer primary. */
  void released() {
    forced = false;
  }

  /** Epoch fencing and rivals at the own epoch. */
  Verdict epochs(Instant now, long term, long knownEpoch, String knownEpochFrom) {
    if (knownEpoch > term) {
      Optional<PeerTable.Peer> from = peers.find(knownEpochFrom);
      boolean fromPrimary = from.isPresent() && from.get().last().role() == Role.PRIMARY;
      return new Verdict.StepDown(
          TransitionType.DEMOTE,
          (fromPrimary
                  ? "primary " + knownEpochFrom + " has epoch "
                  : "heartbeat from " + knownEpochFrom + " carries epoch ")
              + knownEpoch
              + " > own epoch "
              + term
              + (fromPrimary ? "" : ": a newer primary was elected"),
          Optional.empty());
    }
    PeerTable.Peer rival = null;
    for (PeerTable.Peer p : peers.alive(now)) {
      PeerHeartbeat hb = p.last();
      if (hb.role() != Role.PRIMARY) {
        continue;
      }
      if (hb.epoch() == term
          && Election.isBetter(
              hb.priority(), hb.nodeId(), settings.priority(), settings.nodeId())) {
        return new Verdict.StepDown(
            TransitionType.DEMOTE,
            "primary "
                + hb.nodeId()
                + " holds the same epoch "
                + term
                + " and is preferred (priority "
                + hb.priority()
                + " vs own "
                + settings.priority()
                + ")",
            Optional.empty());
      }
      rival = p;
    }
    Optional<Verdict> unheard = unheardRival(now, term);
    if (unheard.isPresent()) {
      return unheard.get();
    }
    if (rival == null) {
      rivalId = null;
      rivalSince = null;
      return STAY;
    }
    if (!rival.id().equals(rivalId)) {
      rivalId = rival.id();
      rivalSince = now;
      // The rival may not hear us directly; a strictly higher epoch reaches it through any relay.
      return rival.last().epoch() == term
          ? new Verdict.Reassert(rival.id(), rival.last().epoch())
          : STAY;
    }
    // Two intervals: its demotion announcement may be lost, its next heartbeat may not.
    if (now.isBefore(rivalSince.plus(settings.heartbeatInterval().multipliedBy(2)))) {
      return STAY;
    }
    // It kept its role past our announcements: it does not hear us. Two primaries are worse
    // than either one, and only we know of the conflict, so we yield.
    String cause =
        "primary "
            + rival.id()
            + " (epoch "
            + rival.last().epoch()
            + ") kept its role for "
            + Duration.between(rivalSince, now).toMillis()
            + " ms after seeing own epoch "
            + term
            + ": it does not hear this node; yielding so that one primary remains";
    String yielded = rival.id();
    rivalId = null;
    rivalSince = null;
    return new Verdict.StepDown(TransitionType.DEMOTE, cause, Optional.of(yielded));
  }

  /**
   * A voter that knows this node's epoch but follows another primary, one this node does not hear:
   * two nodes took over at once at the same epoch, cut off from each other, and each keeps its
   * majority through the voters that hear both. A voter follows the preferred of two primaries at
   * one epoch, so the one it does not follow gives way (and yields, so that it does not claim again
   * while the voters still follow the other).
   */
  private Optional<Verdict> unheardRival(Instant now, long term) {
    for (PeerTable.Peer p : peers.alive(now)) {
      PeerHeartbeat hb = p.last();
      if (hb.witness() || hb.role() == Role.PRIMARY || hb.epoch() != term) {
        continue;
      }
      Optional<String> followed = hb.followedPrimary();
      if (followed.isEmpty()
          || followed.get().equals(settings.nodeId())
          || peers.find(followed.get()).filter(r -> peers.isAlive(r, now)).isPresent()) {
        // A rival heard directly is judged by its own heartbeat (above).
        continue;
      }
      return Optional.of(
          new Verdict.StepDown(
              TransitionType.DEMOTE,
              hb.nodeId()
                  + " follows primary "
                  + followed.get()
                  + " at this node's epoch "
                  + term
                  + ", and this node does not hear "
                  + followed.get()
                  + ": two primaries took over at one epoch; giving way to the one the voters"
                  + " follow",
              followed));
    }
    return Optional.empty();
  }

  /** Quorum: a primary that no longer sees a majority releases its VIPs at once. */
  Verdict quorum(int visibleVoters) {
    if (!quorum.isRequired()) {
      return STAY;
    }
    if (quorum.isMetBy(visibleVoters)) {
      forced = false;
      return STAY;
    }
    if (forced) {
      return STAY;
    }
    return new Verdict.StepDown(
        TransitionType.RELEASE,
        "lost quorum: " + quorum.describe(visibleVoters) + "; releasing the VIPs (self-fencing)",
        Optional.empty());
  }
}
