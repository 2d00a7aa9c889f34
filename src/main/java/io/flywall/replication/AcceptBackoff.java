package io.flywall.replication;

import java.time.Duration;

/**
 * How long the listener pauses after a failed accept: 10 ms doubling up to 1 s while accepts keep
 * failing, back to none after one succeeds. Without it a listener out of file descriptors retries
 * in a tight loop and takes a core (and the log) with it. Logs only the first failure of a streak
 * and each time the pause reaches its maximum again.
 */
final class AcceptBackoff {
  static final Duration FIRST = Duration.ofMillis(10);
  static final Duration MAX = Duration.ofSeconds(1);

  private Duration pause = Duration.ZERO;
  private long failures;

  /** An accept failed: the pause before the next one. */
  Duration failed() {
    failures++;
    pause = pause.isZero() ? FIRST : min(pause.multipliedBy(2), MAX);
    return pause;
  }

  void succeeded() {
    pause = Duration.ZERO;
    failures = 0;
  }

  /** Whether the failure just counted deserves a log line. */
  boolean shouldLog() {
    return failures == 1 || (pause.equals(MAX) && failures % 60 == 0);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
