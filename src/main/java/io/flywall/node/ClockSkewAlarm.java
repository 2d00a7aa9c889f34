package io.flywall.node;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.cluster.HeartbeatReceiver;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code clock_skew} alarm: follows the heartbeat receiver's finding every tick and tells a
 * change once (log line, monitor event, gauge). A peer whose heartbeats all fail the clock check
 * looks dead; the alarm says why.
 */
final class ClockSkewAlarm {
  private static final Logger log = LoggerFactory.getLogger(ClockSkewAlarm.class);

  private final HeartbeatReceiver receiver;
  private final HaMetrics metrics;
  private final MonitorFeed monitor;
  private volatile Optional<String> raised = Optional.empty();

  ClockSkewAlarm(HeartbeatReceiver receiver, HaMetrics metrics, MonitorFeed monitor) {
    this.receiver = receiver;
    this.metrics = metrics;
    this.monitor = monitor;
  }

  void tick(Instant now) {
    Optional<String> current = receiver.clockSkewAlarm();
    if (current.isPresent() != raised.isPresent()) {
      AlarmNotice.tell(
          log,
          monitor,
          now,
          HeartbeatReceiver.CLOCK_SKEW_ALARM,
          current.orElseGet(() -> "heartbeats arrive within the skew bound again"),
          current.isPresent());
    }
    raised = current;
    metrics.alarm(HeartbeatReceiver.CLOCK_SKEW_ALARM, current.isPresent());
  }

  /** The alarm's detail while it is raised. */
  Optional<String> detail() {
    return raised;
  }
}
