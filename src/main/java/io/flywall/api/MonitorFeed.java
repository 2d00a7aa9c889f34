package io.flywall.api;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live events for {@code flywall ha monitor}: heartbeats per peer with RTT, role changes and
 * alarms. Publishing never blocks the node: a subscriber that throws is dropped.
 */
public final class MonitorFeed {
  private static final Logger log = LoggerFactory.getLogger(MonitorFeed.class);

  private final Set<Consumer<Map<String, Object>>> subscribers = ConcurrentHashMap.newKeySet();

  public AutoCloseable subscribe(Consumer<Map<String, Object>> subscriber) {
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  public int subscribers() {
    return subscribers.size();
  }

  /** Publishes one event; {@code fields} must contain a "type". */
  public void publish(Map<String, Object> fields) {
    for (Consumer<Map<String, Object>> subscriber : subscribers) {
      try {
        subscriber.accept(fields);
      } catch (RuntimeException e) {
        log.debug("monitor subscriber dropped: {}", e.toString());
        subscribers.remove(subscriber);
      }
    }
  }
}
