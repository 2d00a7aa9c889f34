package io.flywall.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** DESIGN 10.4: monitor subscribers are bounded and never cost the publishing thread. */
class MonitorFeedTest {

  @Test
  void subscribersGetEventsOnTheFeedsOwnThreadNotThePublishers() {
    MonitorFeed feed = new MonitorFeed(4);
    List<String> threads = new CopyOnWriteArrayList<>();
    feed.subscribe(event -> threads.add(Thread.currentThread().getName()));

    feed.publish(Map.of("type", "heartbeat"));

    await().atMost(Duration.ofSeconds(10)).until(() -> threads.size() == 1);
    assertThat(threads).containsExactly("flywall-monitor");
  }

  @Test
  void aStuckSubscriberNeverBlocksPublishingAndOverflowIsDroppedAndCounted() throws Exception {
    MonitorFeed feed = new MonitorFeed(4);
    CountDownLatch release = new CountDownLatch(1);
    feed.subscribe(
        event -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });

    // Were publishing synchronous, the first call would hang here on the stuck subscriber.
    for (int i = 0; i < MonitorFeed.PENDING + 100; i++) {
      feed.publish(Map.of("type", "heartbeat", "seq", i));
    }

    assertThat(feed.dropped()).isBetween(99L, 100L);
    release.countDown();
  }

  @Test
  void subscribersBeyondTheLimitAreRefusedUntilOneLeaves() throws Exception {
    MonitorFeed feed = new MonitorFeed(2);
    AutoCloseable first = feed.subscribe(event -> {}).orElseThrow();
    feed.subscribe(event -> {}).orElseThrow();

    assertThat(feed.full()).isTrue();
    assertThat(feed.subscribe(event -> {})).isEmpty();
    first.close();
    assertThat(feed.subscribe(event -> {})).isPresent();
  }

  @Test
  void withoutSubscribersPublishingQueuesNothing() {
    MonitorFeed feed = new MonitorFeed(1);
    for (int i = 0; i < MonitorFeed.PENDING + 10; i++) {
      feed.publish(Map.of("type", "heartbeat"));
    }
    assertThat(feed.dropped()).isZero();
  }
}
