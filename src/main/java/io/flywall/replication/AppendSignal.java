package io.flywall.replication;

import java.time.Duration;

/** Wakes streaming sessions when the log grows, so a change leaves as soon as it is committed. */
final class AppendSignal {
  private long generation;

  synchronized void signal() {
    generation++;
    notifyAll();
  }

  synchronized long current() {
    return generation;
  }

  /** Waits until the log grew after {@code seen}, at most {@code timeout}; true if it did. */
  synchronized boolean awaitChange(long seen, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (generation == seen) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
