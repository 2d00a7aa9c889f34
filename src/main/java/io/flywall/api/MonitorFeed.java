package io.flywall.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
  // Places reserved or subscribed: the limit counts both.
  private final AtomicInteger taken = new AtomicInteger();
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
   * A place among the subscribers, taken before the stream is opened so that a crowd of requests
   * arriving together cannot all pass the limit (the HTTP layer answers 503 at once to those that
   * get none). Either {@link #subscribe} or {@link #release} it.
   */
  public final class Slot {
    private boolean used;

    private Slot() {}

    /** Subscribes in this place; closing the handle unsubscribes and frees the place. */
    public synchronized AutoCloseable subscribe(Consumer<Map<String, Object>> subscriber) {
      if (used) {
        throw new IllegalStateException("this monitor slot was already used");
      }
      used = true;
      return add(subscriber);
    }

    /** Gives the place back unused (the stream never opened). */
    public synchronized void release() {
      if (!used) {
        used = true;
        taken.decrementAndGet();
      }
    }
  }

  /** A place for one more subscriber, or empty when {@code maxSubscribers} are taken. */
  public Optional<Slot> reserve() {
    int before = taken.getAndUpdate(n -> n < maxSubscribers ? n + 1 : n);
    return before < maxSubscribers ? Optional.of(new Slot()) : Optional.empty();
  }

  /**
   * Adds a subscriber, or returns empty when {@code maxSubscribers} are already subscribed. Closing
   * the returned handle unsubscribes.
   */
  public Optional<AutoCloseable> subscribe(Consumer<Map<String, Object>> subscriber) {
    return reserve().map(slot -> slot.subscribe(subscriber));
  }

  private synchronized AutoCloseable add(Consumer<Map<String, Object>> subscriber) {
    subscribers.add(subscriber);
    if (publisher == null) {
      publisher = new Thread(this::deliverLoop, "flywall-monitor");
      publisher.setDaemon(true);
      publisher.start();
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.compareAndSet(true, false)) {
        subscribers.remove(subscriber);
        taken.decrementAndGet();
      }
    };
  }

  public int subscribers() {
    return subscribers.size();
  }

  public int maxSubscribers() {
    return maxSubscribers;
  }

  /** Whether a new subscriber would be refused now. */
  public boolean full() {
    return taken.get() >= maxSubscribers;
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
