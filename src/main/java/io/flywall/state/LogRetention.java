package io.flywall.state;

/**
 * How much change log a node keeps. A replica further behind than this is sent a snapshot instead
 * of changes; the bound keeps the log from growing with the write history.
 *
 * @param maxChanges the log keeps at most this many changes
 * @param maxBytes ... and at most about this many bytes of keys and values
 */
public record LogRetention(long maxChanges, long maxBytes) {
  public static final LogRetention DEFAULT = new LogRetention(200_000, 64L * 1024 * 1024);

  public LogRetention {
    if (maxChanges < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("log retention must keep at least one change and byte");
    }
  }
}
