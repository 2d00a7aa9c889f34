package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The node's own pulse, from its events: since when it runs (its first tick, when its heartbeats
 * start too), and whether it just came back from a pause (SIGSTOP, a frozen VM, a stalled loop)
 * long enough that a peer heard just before it may now look dead: failure_timeout less one
 * heartbeat interval, at least one interval. After such a pause its view of the cluster is stale,
 * so it claims nothing and announces no VIP until peers have had two heartbeat intervals to be
 * heard.
 */
final class TickWatch {
  private final Duration pauseLimit;
  private final Duration quietFor;
  private final Duration interval;
  private Instant runningSince;
  private Instant sendingSince;
  private Instant lastEvent;
  private Instant quietUntil;

  /** {@code startedAt}: when the controller was built; it hears heartbeats from then on. */
  TickWatch(Duration failureTimeout, Duration heartbeatInterval, Instant startedAt) {
    Duration lapse = failureTimeout.minus(heartbeatInterval);
    this.pauseLimit = lapse.compareTo(heartbeatInterval) > 0 ? lapse : heartbeatInterval;
    this.quietFor = heartbeatInterval.multipliedBy(2);
    this.interval = heartbeatInterval;
    this.lastEvent = startedAt;
  }

  /**
   * Notes an event at {@code now}; returns the length of a pause that just ended, if the node was
   * already running (a process frozen before its first tick is quiet too, but nothing to report).
   */
  Optional<Duration> observe(boolean tick, Instant now) {
    Optional<Duration> pause = Optional.empty();
    // Ticks (every interval / 4) and heartbeats come often: a long gap between any two events
    // means this process did not run.
    if (now.isAfter(lastEvent.plus(pauseLimit))) {
      quietUntil = now.plus(quietFor);
      if (runningSince != null) {
        pause = Optional.of(Duration.between(lastEvent, now));
      }
    }
    // A gap longer than one interval is a heartbeat that did not go out: a peer may not have heard
    // this node since (it started meanwhile, or never heard this life of it).
    if (runningSince != null && now.isAfter(lastEvent.plus(interval))) {
      sendingSince = now;
    }
    lastEvent = now;
    if (tick && runningSince == null) {
      runningSince = now;
      sendingSince = now;
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

  /**
   * Since when the node's heartbeats have gone out without a gap of more than one interval (its
   * first tick, or the end of its last pause, however short): what a peer can have heard of it.
   */
  Instant sendingSince() {
    return sendingSince;
  }

  boolean quiet(Instant now) {
    return quietUntil != null && now.isBefore(quietUntil);
  }

  Instant quietUntil() {
    return quietUntil;
  }
}
