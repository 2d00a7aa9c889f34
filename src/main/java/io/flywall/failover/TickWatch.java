package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The node's own pulse, from its ticks: since when it runs (its first tick, when its heartbeats
 * start too), and whether it just came back from a pause (SIGSTOP, a frozen VM, a stalled loop)
 * long enough that a peer heard just before it may now look dead: failure_timeout less one
 * heartbeat interval, at least one interval. After such a pause its view of the cluster is stale,
 * so it claims nothing and announces no VIP until peers have had two heartbeat intervals to be
 * heard.
 */
final class TickWatch {
  private final Duration pauseLimit;
  private final Duration quietFor;
  private Instant runningSince;
  private Instant lastTick;
  private Instant quietUntil;

  TickWatch(Duration failureTimeout, Duration heartbeatInterval) {
    Duration lapse = failureTimeout.minus(heartbeatInterval);
    this.pauseLimit = lapse.compareTo(heartbeatInterval) > 0 ? lapse : heartbeatInterval;
    this.quietFor = heartbeatInterval.multipliedBy(2);
  }

  /** Notes an event at {@code now}; returns the length of a pause that just ended, if any. */
  Optional<Duration> observe(boolean tick, Instant now) {
    Optional<Duration> pause = Optional.empty();
    if (lastTick != null && now.isAfter(lastTick.plus(pauseLimit))) {
      pause = Optional.of(Duration.between(lastTick, now));
      quietUntil = now.plus(quietFor);
      lastTick = now;
    }
    if (tick) {
      if (runningSince == null) {
        runningSince = now;
      }
      lastTick = now;
    }
    return pause;
  }

  boolean running() {
    return runningSince != null;
  }

  /** When the node started ticking and sending heartbeats; only meaningful once running. */
  Instant runningSince() {
    return runningSince;
  }

  boolean quiet(Instant now) {
    return quietUntil != null && now.isBefore(quietUntil);
  }

  Instant quietUntil() {
    return quietUntil;
  }
}
