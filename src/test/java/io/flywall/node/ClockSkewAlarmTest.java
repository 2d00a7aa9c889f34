package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.cluster.ClusterKeys;
import io.flywall.cluster.Heartbeat;
import io.flywall.cluster.HeartbeatCodec;
import io.flywall.cluster.HeartbeatCommand;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.NodeStatus;
import io.flywall.testing.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A peer whose heartbeats keep failing the clock check raises clock_skew where operators look. */
class ClockSkewAlarmTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("10.0.0.2", 9002);
  private static final HeartbeatCodec CODEC =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("skew alarm secret 0123456789abcdef"));

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
  private final HeartbeatReceiver receiver =
      new HeartbeatReceiver("node1", Set.of(PEER), CODEC, clock);
  private final HaMetrics metrics = new HaMetrics();
  private final MonitorFeed monitor = new MonitorFeed();
  private final List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
  private final ClockSkewAlarm alarm = new ClockSkewAlarm(receiver, metrics, monitor);
  private long sequence;

  private void heartbeatSentAt(long sendTimeMillis) {
    byte[] datagram =
        CODEC.encode(
            new Heartbeat(
                "node2",
                1,
                ++sequence,
                sendTimeMillis,
                new NodeStatus(
                    1,
                    Heartbeat.Role.PRIMARY,
                    100,
                    EnumSet.of(Heartbeat.Flag.HEALTHY),
                    "10.0.0.2:9001",
                    0,
                    Heartbeat.QuorumView.NONE),
                Heartbeat.Echo.NONE,
                HeartbeatCommand.NONE));
    receiver.receive(datagram, datagram.length, PEER);
  }

  @Test
  void theAlarmIsRaisedOnceWithItsCauseAndClearedWhenThePeerIsInStepAgain() {
    monitor.subscribe(events::add);
    for (int i = 0; i < 3; i++) {
      heartbeatSentAt(clock.millis() - 120_000);
      clock.advance(Duration.ofSeconds(1));
    }

    alarm.tick(clock.instant());
    alarm.tick(clock.instant());

    assertThat(alarm.detail()).hasValueSatisfying(d -> assertThat(d).contains("node2", "behind"));
    assertThat(metrics.prometheusText()).contains("flywall_alarm{name=\"clock_skew\"} 1.0");
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 1);
    assertThat(events.get(0))
        .containsEntry("type", "alarm")
        .containsEntry("name", "clock_skew")
        .containsEntry("raised", true);

    heartbeatSentAt(clock.millis());
    alarm.tick(clock.instant());

    assertThat(alarm.detail()).isEmpty();
    assertThat(metrics.prometheusText()).contains("flywall_alarm{name=\"clock_skew\"} 0.0");
    await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);
    assertThat(events.get(1)).containsEntry("raised", false);
  }
}
