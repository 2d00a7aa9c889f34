package io.flywall.node;

import io.flywall.api.MonitorFeed;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/** How a raised or cleared alarm is told: one log line and one monitor event. */
final class AlarmNotice {
  private AlarmNotice() {}

  static void tell(
      Logger log, MonitorFeed monitor, Instant time, String name, String detail, boolean raised) {
    if (raised) {
      log.warn("ALARM {}: {}", name, detail);
    } else {
      log.info("alarm {} cleared: {}", name, detail);
    }
    Map<String, Object> published = new LinkedHashMap<>();
    published.put("type", "alarm");
    published.put("time", time.toString());
    published.put("name", name);
    published.put("raised", raised);
    published.put("detail", detail);
    monitor.publish(published);
  }
}
