package io.flywall.node;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the loop's one extra tick is due: at the controller's next deadline, so that a peer is found
 * dead exactly at failure_timeout and the arp_ping probe starts exactly when a heartbeat is
 * overdue, not up to one tick period later. The periodic tick goes on beside it (gauges,
 * announcements and the coarser timers). At most one such tick waits at a time: a nearer deadline
 * replaces it, a farther one waits until it ran. Pure; the loop asks it after every step.
 */
final class DeadlineTick {
  private Instant scheduledAt;

  /**
   * The delay after which to tick, if a tick must be (re)scheduled for {@code deadline}: none is
   * waiting, or the one waiting comes later. Never negative.
   */
  Optional<Duration> plan(Optional<Instant> deadline, Instant now) {
    if (deadline.isEmpty()) {
      return Optional.empty();
    }
    Instant at = deadline.get();
    if (scheduledAt != null && !scheduledAt.isAfter(at)) {
      return Optional.empty();
    }
    scheduledAt = at;
    Duration delay = Duration.between(now, at);
    return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
  }

  /** The tick planned for {@code at} runs now; the next plan schedules afresh. */
  void ran(Instant at) {
    if (at.equals(scheduledAt)) {
      scheduledAt = null;
    }
  }
}
