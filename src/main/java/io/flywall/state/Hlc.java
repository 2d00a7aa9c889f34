package io.flywall.state;

/**
 * A hybrid-logical-clock timestamp: wall milliseconds in the high 48 bits, a logical counter in the
 * low 16. Ordered like the long it wraps, so "later write" is a plain comparison.
 */
public record Hlc(long value) implements Comparable<Hlc> {
  static final int LOGICAL_BITS = 16;
  static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

  public static Hlc of(long physicalMillis, int logical) {
    if (physicalMillis < 0 || physicalMillis >= (1L << (63 - LOGICAL_BITS))) {
      throw new IllegalArgumentException("physical time out of range: " + physicalMillis);
    }
    if (logical < 0 || logical > LOGICAL_MASK) {
      throw new IllegalArgumentException("logical counter out of range: " + logical);
    }
    return new Hlc((physicalMillis << LOGICAL_BITS) | logical);
  }

  public long physicalMillis() {
    return value >>> LOGICAL_BITS;
  }

  public int logical() {
    return (int) (value & LOGICAL_MASK);
  }

  @Override
  public int compareTo(Hlc other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return physicalMillis() + "." + logical();
  }
}
