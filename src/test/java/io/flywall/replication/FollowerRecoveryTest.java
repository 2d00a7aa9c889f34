package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * DESIGN 10.3: an error in a stream never stops replication for good. When the replica's own code
 * throws an unexpected runtime error while following (here its clock, on purpose), the replica
 * raises an alarm and reconnects after backoff, again and again; the follower thread does not die,
 * and once the error is gone it catches up and the alarm clears.
 */
class FollowerRecoveryTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The system clock, or an IllegalStateException while {@code broken} is set. */
  private static final class BreakableClock extends Clock {
    final AtomicBoolean broken = new AtomicBoolean(true);

    @Override
    public Instant instant() {
      if (broken.get()) {
        throw new IllegalStateException("clock broken on purpose");
      }
      return Instant.now();
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void anUnexpectedErrorIsAnAlarmAndTheReplicaKeepsRetryingWithBackoff() throws Exception {
    BreakableClock clock = new BreakableClock();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, new ReplicationNode.Options());
        ReplicationNode b =
            ReplicationNode.fresh("fw-b", KEY, new ReplicationNode.Options().clock(clock));
        FaultyProxy proxy = new FaultyProxy(a.target().address())) {
      a.lead(1);
      for (int i = 0; i < 20; i++) {
        a.replication.put("b", "k-" + i, ("v-" + i).getBytes(UTF_8), Optional.empty());
      }
      b.primary.set(Optional.of(new PrimaryTarget("fw-a", proxy.address())));
      b.replication.becomeReplica(Optional.of("fw-a"));

      await()
          .atMost(WAIT)
          .until(
              () ->
                  b.replication
                      .alarms()
                      .getOrDefault("replication_stream", "")
                      .contains("internal"));
      assertThat(b.replication.status().problem()).contains("internal error");
      int seen = proxy.connections.get();
      await().atMost(WAIT).until(() -> proxy.connections.get() >= seen + 2);

      clock.broken.set(false);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  b.store.position() == a.store.position()
                      && b.store.checksum() == a.store.checksum());
      await().atMost(WAIT).until(() -> b.replication.alarms().isEmpty());
    }
  }
}
