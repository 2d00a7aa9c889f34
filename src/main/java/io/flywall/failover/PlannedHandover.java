package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Planned handover, both sides: the handover this node announces after releasing its role (until
 * the target or anyone newer is primary, or failure_timeout passes), and the handover a primary
 * offered to this node in the heartbeat just received.
 */
final class PlannedHandover {

  /** A handover offered to this node by {@code from}. */
  record Offer(Handover handover, String from) {}

  private record Pending(Handover handover, Instant startedAt) {}

  private final String self;
  private final Duration failureTimeout;
  private Pending pending;
  private Offer offer;

  PlannedHandover(String self, Duration failureTimeout) {
    this.self = self;
    this.failureTimeout = failureTimeout;
  }

  /** Starts announcing a handover of epoch {@code epoch} to {@code target}. */
  Handover start(String target, long epoch, Instant now) {
    Handover handover = new Handover(target, epoch);
    pending = new Pending(handover, now);
    return handover;
  }

  /** The handover this node announces, if any. */
  Optional<Handover> pending() {
    return pending == null ? Optional.empty() : Optional.of(pending.handover());
  }

  /** Notes a handover to this node carried by {@code hb}, unless it is older than what we know. */
  void heard(PeerHeartbeat hb, long knownEpoch) {
    hb.handover()
        .filter(h -> h.target().equals(self) && h.epoch() >= knownEpoch)
        .ifPresent(h -> offer = new Offer(h, hb.nodeId()));
  }

  /** The handover offered in the event being stepped. */
  Optional<Offer> offer() {
    return Optional.ofNullable(offer);
  }

  /** The event has been stepped; an offer not taken now is taken at the next heartbeat. */
  void stepped() {
    offer = null;
  }

  void clear() {
    pending = null;
  }

  /** When a pending handover is abandoned if nobody took it (see {@link #follow}). */
  Optional<Instant> abandonAt() {
    return pending == null
        ? Optional.empty()
        : Optional.of(pending.startedAt().plus(failureTimeout));
  }

  /**
   * Stops announcing once this node or anyone newer is primary; after failure_timeout without a
   * taker, returns why it was abandoned.
   */
  Optional<String> follow(Instant now, Role role, long knownEpoch) {
    if (pending == null) {
      return Optional.empty();
    }
    Handover h = pending.handover();
    if (role == Role.PRIMARY || knownEpoch > h.epoch()) {
      pending = null;
      return Optional.empty();
    }
    if (now.isBefore(pending.startedAt().plus(failureTimeout))) {
      return Optional.empty();
    }
    pending = null;
    return Optional.of(
        h.target()
            + " did not take over within failure_timeout ("
            + failureTimeout.toMillis()
            + " ms); election resumes");
  }
}
