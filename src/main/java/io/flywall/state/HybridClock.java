package io.flywall.state;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Issues strictly increasing {@link Hlc} timestamps that stay close to wall time and never run
 * behind any timestamp this node has accepted, so a write made after reading a peer's write orders
 * after it even when the two wall clocks disagree. Timestamps from peers more than {@link
 * #MAX_AHEAD} ahead of this wall clock are refused ({@link #tooFarAhead}) and never pull this clock
 * along: one write stamped far in the future would otherwise win every later merge of its key, and
 * a stamp near the top of the range would make {@code last + 1} overflow.
 */
public final class HybridClock {
  public static final Duration MAX_AHEAD = Duration.ofSeconds(60);

  private final Clock wall;
  private long last;

  public HybridClock(Clock wall) {
    this.wall = wall;
  }

  /** A timestamp later than every one issued or observed before. */
  public synchronized Hlc now() {
    long physical = wall.millis() << Hlc.LOGICAL_BITS;
    last = Math.max(last + 1, physical);
    return new Hlc(last);
  }

  /**
   * Moves this clock past a timestamp received from another node, but never beyond {@link
   * #MAX_AHEAD} of the wall clock.
   */
  public synchronized void observe(Hlc remote) {
    last = Math.max(last, Math.min(remote.value(), ceiling()));
  }

  /** Why {@code remote} must be refused (too far ahead of this wall clock), or empty. */
  public Optional<String> tooFarAhead(Hlc remote) {
    // physicalMillis() shifts without sign: a negative stamp reads as far in the future.
    long aheadMillis = remote.physicalMillis() - wall.millis();
    if (aheadMillis <= MAX_AHEAD.toMillis()) {
      return Optional.empty();
    }
    return Optional.of(
        "its HLC timestamp is "
            + aheadMillis / 1000
            + " s ahead of this node's clock (at most "
            + MAX_AHEAD.toSeconds()
            + " s allowed): synchronise the clocks (NTP)");
  }

  private long ceiling() {
    return ((wall.millis() + MAX_AHEAD.toMillis()) << Hlc.LOGICAL_BITS) | Hlc.LOGICAL_MASK;
  }
}
