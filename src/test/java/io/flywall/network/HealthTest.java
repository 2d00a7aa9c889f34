package io.flywall.network;

import static io.flywall.network.Samples.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTest {

  private static GatewayState answered(String gw) {
    return new GatewayState(ip(gw), true, Optional.of(Duration.ofMillis(1)));
  }

  private static GatewayState silent(String gw) {
    return new GatewayState(ip(gw), false, Optional.empty());
  }

  @Test
  void section4_aNodeWithAllLinksUpAndAGatewayAnsweringIsHealthy() {
    Health health =
        Health.judge(
            List.of(LinkState.up("eth0"), LinkState.up("eth1")),
            List.of(silent("192.168.1.1"), answered("192.168.1.254")));

    assertThat(health.healthy()).isTrue();
    assertThat(health.cause()).isEqualTo("healthy");
  }

  @Test
  void section4_aMonitoredLinkDownMakesTheNodeUnhealthyAndNamesTheLink() {
    Health health =
        Health.judge(
            List.of(LinkState.up("eth0"), LinkState.down("eth1", "no carrier")),
            List.of(answered("192.168.1.1")));

    assertThat(health.healthy()).isFalse();
    assertThat(health.cause()).isEqualTo("link eth1 down (no carrier)");
  }

  @Test
  void section4_noMonitoredGatewayAnsweringMakesTheNodeUnhealthy() {
    Health health = Health.judge(List.of(), List.of(silent("192.168.1.1"), silent("fd00::1")));

    assertThat(health.healthy()).isFalse();
    assertThat(health.cause()).isEqualTo("no gateway answers (192.168.1.1, fd00::1)");
  }

  @Test
  void everyCauseIsNamed() {
    Health health =
        Health.judge(
            List.of(
                LinkState.down("eth0", "missing"), LinkState.down("eth1", "administratively down")),
            List.of(silent("192.168.1.1")));

    assertThat(health.cause())
        .isEqualTo(
            "link eth0 down (missing); link eth1 down (administratively down); no gateway answers (192.168.1.1)");
  }

  @Test
  void withNothingMonitoredANodeIsHealthy() {
    assertThat(Health.judge(List.of(), List.of()).healthy()).isTrue();
  }
}
