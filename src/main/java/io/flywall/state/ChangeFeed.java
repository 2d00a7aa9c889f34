package io.flywall.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The most recently committed changes, kept in memory in log order, so the replication sender reads
 * what it sends without a round trip through the database (and without its lock). Bounded in count
 * and bytes; a reader further behind than it holds reads the log instead.
 */
public final class ChangeFeed {
  private final Change[] ring;
  private final long maxBytes;
  private long first;
  private long last;
  private long bytes;

  ChangeFeed(int capacity, long maxBytes, long position) {
    this.ring = new Change[Integer.highestOneBit(Math.max(2, capacity - 1)) << 1];
    this.maxBytes = maxBytes;
    reset(position);
  }

  /** The log was replaced (a snapshot): the feed starts empty at {@code position}. */
  synchronized void reset(long position) {
    java.util.Arrays.fill(ring, null);
    first = position + 1;
    last = position;
    bytes = 0;
    notifyAll();
  }

  /** Committed changes, continuing the log. */
  synchronized void published(List<Change> changes) {
    if (changes.isEmpty()) {
      return;
    }
    if (changes.get(0).seq() != last + 1) {
      reset(changes.get(0).seq() - 1);
    }
    for (Change change : changes) {
      if (last - first + 1 == ring.length) {
        evictOldest();
      }
      last = change.seq();
      ring[slot(last)] = change;
      bytes += change.sizeBound();
    }
    while (bytes > maxBytes && first < last) {
      evictOldest();
    }
    notifyAll();
  }

  /** The position of the newest committed change. */
  public synchronized long position() {
    return last;
  }

  /**
   * The changes after {@code after}, at most {@code maxChanges} and about {@code maxBytes} (at
   * least one when there is one); empty when the feed no longer holds the change after {@code
   * after}.
   */
  public synchronized Optional<List<Change>> after(long after, int maxChanges, long maxBytes) {
    if (after + 1 < first) {
      return Optional.empty();
    }
    List<Change> out = new ArrayList<>();
    long size = 0;
    for (long seq = after + 1; seq <= last && out.size() < maxChanges; seq++) {
      Change change = ring[slot(seq)];
      size += change.sizeBound();
      if (!out.isEmpty() && size > maxBytes) {
        break;
      }
      out.add(change);
    }
    return Optional.of(out);
  }

  /** Waits until a change after {@code after} is committed, at most {@code timeout}. */
  public synchronized boolean awaitAfter(long after, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (last <= after) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  private void evictOldest() {
    int slot = slot(first);
    bytes -= ring[slot].sizeBound();
    ring[slot] = null;
    first++;
  }

  private int slot(long seq) {
    return (int) (seq & (ring.length - 1));
  }
}
