package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.api.HaMetrics;
import io.flywall.cluster.ClusterKeys;
import io.flywall.cluster.HeartbeatCodec;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.failover.ControllerSettings;
import io.flywall.failover.FailbackMode;
import io.flywall.failover.FailoverController;
import io.flywall.failover.QuorumMode;
import io.flywall.network.NetworkAlarms;
import io.flywall.testing.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The network plane's alarms are on the Prometheus alarm gauge like every other alarm. */
class HaGaugesTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  private final HaMetrics metrics = new HaMetrics();
  private final HaGauges gauges = new HaGauges(metrics);
  private final FailoverController controller =
      new FailoverController(
          new ControllerSettings(
              "node1",
              100,
              FailbackMode.AUTO,
              Duration.ZERO,
              Duration.ZERO,
              Duration.ofSeconds(1),
              Duration.ofSeconds(3),
              QuorumMode.AUTO,
              1,
              false,
              true,
              Duration.ofSeconds(5)),
          0,
          NOW);
  private final HeartbeatReceiver receiver =
      new HeartbeatReceiver(
          "node1",
          Set.of(new InetSocketAddress("10.0.0.2", 9002)),
          HeartbeatCodec.withKeys(ClusterKeys.fromSecret("gauge test secret 0123456789abcdef")),
          new MutableClock(NOW));

  @Test
  void aPlaneAlarmIsOneOnTheGaugeWhileRaisedAndZeroOnceCleared() {
    gauges.refresh(
        controller.view(NOW),
        receiver,
        Map.of(NetworkAlarms.VIP_INTERFACE_MISSING, "10.0.0.1/24 is held on eth9, which is gone"),
        NOW);
    assertThat(metrics.prometheusText())
        .contains("flywall_alarm{name=\"vip_interface_missing\"} 1.0");
    gauges.refresh(controller.view(NOW), receiver, Map.of(), NOW);
    assertThat(metrics.prometheusText())
        .contains("flywall_alarm{name=\"vip_interface_missing\"} 0.0");
  }
}
