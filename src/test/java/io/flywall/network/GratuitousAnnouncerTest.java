package io.flywall.network;

import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GratuitousAnnouncerTest {

  private static final String LAN_JSON = Samples.read("ip-addr-show-vips-held.json");

  private final FakeCommandRunner runner =
      new FakeCommandRunner(
          argv ->
              argv.get(0).equals("ip") && argv.get(1).equals("-j")
                  ? FakeCommandRunner.ok(argv, LAN_JSON)
                  : FakeCommandRunner.ok(argv, ""));
  private final GratuitousAnnouncer announcer =
      new GratuitousAnnouncer(runner, Duration.ofSeconds(2));

  @Test
  void anIpv4VipIsAnnouncedWithUnsolicitedArpFromTheVipItself() {
    announcer.announce(List.of(vip("10.99.1.1/24", "fwt-lan")), 3);

    assertThat(runner.commands)
        .containsExactly(
            List.of("arping", "-U", "-c", "3", "-I", "fwt-lan", "-s", "10.99.1.1", "10.99.1.1"));
  }

  @Test
  void anIpv6VipIsAnnouncedByReassigningTheInterfacesOwnMacWithNdiscNotifyOn() {
    announcer.announce(List.of(vip("fd99:1::1/64", "fwt-lan")), 2);

    assertThat(runner.commands)
        .containsExactly(
            List.of("sysctl", "-q", "-w", "net/ipv6/conf/fwt-lan/ndisc_notify=1"),
            List.of("ip", "-j", "addr", "show", "dev", "fwt-lan"),
            List.of("ip", "link", "set", "dev", "fwt-lan", "address", "02:99:01:00:00:02"),
            List.of("ip", "link", "set", "dev", "fwt-lan", "address", "02:99:01:00:00:02"));
  }

  @Test
  void ipv6VipsSharingAnInterfaceShareOneRoundSinceEachRoundAnnouncesAllItsAddresses() {
    announcer.announce(List.of(vip("fd99:1::1/64", "fwt-lan"), vip("fd99:1::5/64", "fwt-lan")), 1);

    assertThat(runner.commands).filteredOn(argv -> argv.contains("link")).hasSize(1);
  }

  @Test
  void theScheduledAnnouncementSendsItsCount() {
    announcer.send(
        new Announcement(vip("10.99.1.1/24", "fwt-lan"), 1, Announcement.Reason.REFRESH));

    assertThat(runner.commands.get(0)).containsSubsequence("-c", "1");
  }

  @Test
  void everyVipIsTriedAndAllFailuresAreReportedTogether() {
    FakeCommandRunner failing =
        new FakeCommandRunner(
            argv ->
                argv.get(0).equals("arping")
                    ? FakeCommandRunner.failed(
                        argv, 2, "", "arping: Device " + argv.get(5) + " not available.")
                    : FakeCommandRunner.ok(argv, ""));
    GratuitousAnnouncer subject = new GratuitousAnnouncer(failing, Duration.ofSeconds(2));

    assertThatThrownBy(
            () ->
                subject.announce(
                    List.of(vip("10.0.0.1/24", "eth8"), vip("10.0.1.1/24", "eth9")), 3))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("Device eth8 not available")
        .hasMessageContaining("Device eth9 not available");
    assertThat(failing.commands).hasSize(2);
  }
}
