package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkMonitorTest {

  private static LinkMonitor monitorOf(String sample) {
    String json = Samples.read(sample);
    return new LinkMonitor(
        new FakeCommandRunner(argv -> FakeCommandRunner.ok(argv, json)), Duration.ofSeconds(1));
  }

  @Test
  void anAdministrativelyDownLinkIsDown() {
    assertThat(
            monitorOf("ip-link-show-sync-admin-down.json").observe(List.of("fwt-lan", "fwt-sync")))
        .containsExactly(
            LinkState.up("fwt-lan"), LinkState.down("fwt-sync", "administratively down"));
  }

  @Test
  void aLinkWhosePeerWentDownHasNoCarrier() {
    assertThat(monitorOf("ip-link-show-wan-no-carrier.json").observe("fwt-wan"))
        .isEqualTo(LinkState.down("fwt-wan", "no carrier"));
  }

  @Test
  void aMissingInterfaceIsDownAndSaysSo() {
    assertThat(monitorOf("ip-link-show-wan-no-carrier.json").observe("eth7"))
        .isEqualTo(LinkState.down("eth7", "missing"));
  }

  @Test
  void loopbackWithOperstateUnknownIsUp() {
    assertThat(monitorOf("ip-link-show-wan-no-carrier.json").observe("lo").up()).isTrue();
  }

  @Test
  void anOperstateOtherThanUpIsDown() {
    IpLink dormant =
        new IpLink(
            "wlan0",
            java.util.Set.of("UP", "LOWER_UP"),
            "DORMANT",
            java.util.Optional.empty(),
            List.of());

    assertThat(LinkMonitor.state(dormant)).isEqualTo(LinkState.down("wlan0", "operstate dormant"));
  }

  @Test
  void noMonitoredLinksRunsNoCommand() {
    FakeCommandRunner runner = new FakeCommandRunner(argv -> FakeCommandRunner.ok(argv, "[]"));

    assertThat(new LinkMonitor(runner, Duration.ofSeconds(1)).observe(List.of())).isEmpty();
    assertThat(runner.commands).isEmpty();
  }
}
