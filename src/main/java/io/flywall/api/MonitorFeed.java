package io.flywall.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live events for {@code flywall ha monitor}: heartbeats per peer with RTT, role changes and
 * alarms. Publishing costs the caller (the controller's thread) one queue offer whatever the number
 * of subscribers; a thread of its own hands events to them. When that queue is full the event is
 * dropped and counted rather than stalling the node. At most {@code maxSubscribers} at once.
 */
public final class MonitorFeed {
  private static final Logger log = LoggerFactory.getLogger(MonitorFeed.class);

  /** Events waiting for the publishing thread; a burst beyond this is dropped. */
  static final int PENDING = 4096;

  private final int maxSubscribers;
  private final Set<Consumer<Map<String, Object>>> subscribers = ConcurrentHashMap.newKeySet();
  private final BlockingQueue<Map<String, Object>> pending = new ArrayBlockingQueue<>(PENDING);
  private final AtomicLong dropped = new AtomicLong();
  private Thread publisher;

  /** A feed of at most 32 subscribers (the {@code api.max_monitors} default). */
  public MonitorFeed() {
    this(32);
  }

  public MonitorFeed(int maxSubscribers) {
    if (maxSubscribers < 1) {
      throw new IllegalArgumentException("maxSubscribers must be >= 1, got " + maxSubscribers);
    }
    this.maxSubscribers = maxSubscribers;
  }

  /**
   * Adds a subscriber, or returns empty when {@code maxSubscribers} are already subscribed. Closing
   * the returned handle unsubscribes.
   */
  public synchronized Optional<AutoCloseable> subscribe(Consumer<Map<String, Object>> subscriber) {
    if (subscribers.size() >= maxSubscribers) {
      return Optional.empty();
    }
    subscribers.add(subscriber);
    if (publisher == null) {
      publisher = new Thread(this::deliverLoop, "flywall-monitor");
      publisher.setDaemon(true);
      publisher.start();
    }
    return Optional.of(() -> subscribers.remove(subscriber));
  }

  public int subscribers() {
    return subscribers.size();
  }

  public int maxSubscribers() {
    return maxSubscribers;
  }

  /** Whether a new subscriber would be refused now. */
  public boolean full() {
    return subscribers.size() >= maxSubscribers;
  }

  /** Events dropped because the publishing thread fell behind. */
  public long dropped() {
    return dropped.get();
  }

  /** Queues one event for the subscribers; never blocks. {@code fields} must contain a "type". */
  public void publish(Map<String, Object> fields) {
    if (subscribers.isEmpty()) {
      return;
    }
    if (!pending.offer(fields)) {
      dropped.incrementAndGet();
    }
  }

  private void deliverLoop() {
    while (true) {
      Map<String, Object> event;
      try {
        event = pending.take();
      } catch (InterruptedException e) {
        return;
      }
      for (Consumer<Map<String, Object>> subscriber : subscribers) {
        try {
          subscriber.accept(event);
        } catch (RuntimeException e) {
          log.debug("monitor subscriber dropped: {}", e.toString());
          subscribers.remove(subscriber);
        }
      }
    }
  }
}
