package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs dropped datagrams at most once per reason per interval, saying how many were suppressed
 * since the previous line, so a flood of forged packets cannot flood the log.
 */
final class RejectionLog {

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);

  private static final class Window {
    Instant lastLine;
    long suppressed;
  }

  private final Clock clock;
  private final Duration interval;
  private final Consumer<String> sink;
  private final Map<RejectReason, Window> windows = new EnumMap<>(RejectReason.class);

  RejectionLog(Clock clock) {
    this(clock, DEFAULT_INTERVAL, LOG::warn);
  }

  RejectionLog(Clock clock, Duration interval, Consumer<String> sink) {
    this.clock = clock;
    this.interval = interval;
    this.sink = sink;
    for (RejectReason reason : RejectReason.values()) {
      windows.put(reason, new Window());
    }
  }

  synchronized void record(RejectReason reason, String detail, InetSocketAddress source) {
    Instant now = clock.instant();
    Window window = windows.get(reason);
    if (window.lastLine != null && Duration.between(window.lastLine, now).compareTo(interval) < 0) {
      window.suppressed++;
      return;
    }
    String line = "dropped heartbeat datagram from " + source + ": " + reason + " (" + detail + ")";
    if (window.suppressed > 0) {
      line += "; " + window.suppressed + " more " + reason + " dropped since the last report";
    }
    window.lastLine = now;
    window.suppressed = 0;
    sink.accept(line);
  }
}
