package io.flywall.conntrack;

import java.time.Duration;

/**
 * How long to wait before starting conntrackd again: doubling from {@code first} up to {@code max}
 * while it keeps crashing, back to {@code first} once a run lasted {@code stable}.
 */
public record RestartBackoff(Duration first, Duration max, Duration stable) {

  public static RestartBackoff standard() {
    return new RestartBackoff(
        Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60));
  }

  /** The delay after the {@code failures}-th consecutive failure (1-based). */
  public Duration delayAfter(int failures) {
    Duration delay = first;
    for (int i = 1; i < failures && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
