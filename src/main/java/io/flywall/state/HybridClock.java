package io.flywall.state;

import java.time.Clock;

/**
 * Issues strictly increasing {@link Hlc} timestamps that stay close to wall time and never run
 * behind any timestamp this node has seen, so a write made after reading a peer's write orders
 * after it even when the two wall clocks disagree.
 */
public final class HybridClock {
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

  /** Moves this clock past a timestamp received from another node. */
  public synchronized void observe(Hlc remote) {
    last = Math.max(last, remote.value());
  }
}
