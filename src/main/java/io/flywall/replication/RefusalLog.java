package io.flywall.replication;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Logs refused replication connections at most once per interval, with how many were refused
 * without a line since: anyone who reaches the replication port can cause a refusal, and must not
 * be able to flood the log with them.
 */
final class RefusalLog {
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Clock clock;
  private final Consumer<String> sink;
  private Instant lastLine;
  private long suppressed;

  RefusalLog(Clock clock, Consumer<String> sink) {
    this.clock = clock;
    this.sink = sink;
  }

  /** {@code reason} must already be safe to print (see {@link PskHandshake#printable}). */
  synchronized void refused(String source, String reason) {
    Instant now = clock.instant();
    if (lastLine != null && Duration.between(lastLine, now).compareTo(INTERVAL) < 0) {
      suppressed++;
      return;
    }
    String line = "replication connection from " + source + " refused: " + reason;
    if (suppressed > 0) {
      line += "; " + suppressed + " more refused since the last report";
    }
    lastLine = now;
    suppressed = 0;
    sink.accept(line);
  }
}
