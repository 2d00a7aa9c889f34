package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading conntrackd's statistics (captured from conntrackd 1.4.7) and finding the sync link. */
class ConntrackdStatsTest {

  private static String resource(String name) throws Exception {
    try (InputStream in = ConntrackdStatsTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theGeneralStatisticsGiveCacheSizesAndMessageCounters() throws Exception {
    ConntrackdStats stats = ConntrackdStats.parse(resource("conntrackd-stats.txt"));

    assertThat(stats).isEqualTo(new ConntrackdStats(3, 1003, 97, 1096, 0, 0, 0, 0));
  }

  @Test
  void outputWithoutStatisticsIsAnErrorQuotingIt() {
    assertThatThrownBy(
            () -> ConntrackdStats.parse("[ERROR] can't connect: is conntrackd running?\n"))
        .isInstanceOf(ConntrackSyncException.class)
        .hasMessage(
            "conntrackd -s printed no cache statistics: [ERROR] can't connect: is conntrackd running?");
  }

  @Test
  void theSyncLinkIgnoresLinkLocalAndPicksThePeerInTheInterfacesSubnet() throws Exception {
    var entries =
        List.of(
            new io.flywall.network.IpAddressEntry(
                InetAddress.getByName("fe80::1"), 64, false, false, false),
            new io.flywall.network.IpAddressEntry(
                InetAddress.getByName("10.99.3.2"), 24, false, false, false));

    SyncLink link =
        SyncLink.derive(
            "fwt-sync",
            entries,
            List.of(InetAddress.getByName("10.99.1.3"), InetAddress.getByName("10.99.3.3")));

    assertThat(link)
        .isEqualTo(
            new SyncLink(
                "fwt-sync",
                InetAddress.getByName("10.99.3.2"),
                24,
                InetAddress.getByName("10.99.3.3")));
  }

  @Test
  void twoPeersOnTheSyncSubnetAreRefusedBecauseUnicastSyncPairsTwoNodes() throws Exception {
    var entries =
        List.of(
            new io.flywall.network.IpAddressEntry(
                InetAddress.getByName("10.99.3.2"), 24, false, false, false));

    assertThatThrownBy(
            () ->
                SyncLink.derive(
                    "fwt-sync",
                    entries,
                    List.of(
                        InetAddress.getByName("10.99.3.3"), InetAddress.getByName("10.99.3.4"))))
        .hasMessage(
            "conntrack sync pairs exactly two nodes, but several peers lie in a subnet of fwt-sync "
                + "(10.99.3.3, 10.99.3.4)");
  }

  @Test
  void subnetsCompareOnlyThePrefixBits() throws Exception {
    assertThat(
            SyncLink.sameSubnet(
                InetAddress.getByName("10.1.2.3"), InetAddress.getByName("10.1.3.9"), 23))
        .isTrue();
    assertThat(
            SyncLink.sameSubnet(
                InetAddress.getByName("10.1.2.3"), InetAddress.getByName("10.1.4.9"), 23))
        .isFalse();
    assertThat(
            SyncLink.sameSubnet(
                InetAddress.getByName("10.1.2.3"), InetAddress.getByName("fd00::1"), 8))
        .isFalse();
  }
}
