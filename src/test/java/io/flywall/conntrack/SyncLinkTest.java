package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.network.IpAddressEntry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Finding a channel for every peer on the sync link, and the port each pair of nodes agrees on. */
class SyncLinkTest {

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  private static List<IpAddressEntry> syncInterface(String... cidrs) throws Exception {
    List<IpAddressEntry> entries = new ArrayList<>();
    for (String cidr : cidrs) {
      String[] parts = cidr.split("/");
      entries.add(
          new IpAddressEntry(ip(parts[0]), Integer.parseInt(parts[1]), false, false, false));
    }
    return entries;
  }

  @Test
  void theSyncLinkIgnoresLinkLocalAndPicksThePeerInTheInterfacesSubnet() throws Exception {
    List<SyncLink> links =
        SyncLink.toEveryPeer(
            "fwt-sync",
            syncInterface("fe80::1/64", "10.99.3.2/24"),
            List.of(ip("10.99.1.3"), ip("10.99.3.3")));

    assertThat(links)
        .containsExactly(new SyncLink("fwt-sync", ip("10.99.3.2"), 24, ip("10.99.3.3")));
  }

  @Test
  void everyPeerOnTheSyncSubnetGetsItsOwnChannelInTheConfigsOrder() throws Exception {
    List<SyncLink> links =
        SyncLink.toEveryPeer(
            "fwt-sync",
            syncInterface("10.99.3.2/24"),
            List.of(ip("10.99.3.4"), ip("10.99.3.3"), ip("10.99.3.4")));

    assertThat(links)
        .containsExactly(
            new SyncLink("fwt-sync", ip("10.99.3.2"), 24, ip("10.99.3.4")),
            new SyncLink("fwt-sync", ip("10.99.3.2"), 24, ip("10.99.3.3")));
  }

  @Test
  void aPeerOutsideEverySubnetOfTheInterfaceIsLeftOutAndNoneAtAllIsAnError() throws Exception {
    assertThatThrownBy(
            () ->
                SyncLink.toEveryPeer(
                    "fwt-sync", syncInterface("10.99.3.2/24"), List.of(ip("10.99.1.3"))))
        .isInstanceOf(ConntrackSyncException.class)
        .hasMessageStartingWith(
            "no peer address in the config (10.99.1.3) lies in a subnet of "
                + "conntrack_sync.interface fwt-sync (10.99.3.2/24)");
  }

  @Test
  void subnetsCompareOnlyThePrefixBits() throws Exception {
    assertThat(SyncLink.sameSubnet(ip("10.1.2.3"), ip("10.1.3.9"), 23)).isTrue();
    assertThat(SyncLink.sameSubnet(ip("10.1.2.3"), ip("10.1.4.9"), 23)).isFalse();
    assertThat(SyncLink.sameSubnet(ip("10.1.2.3"), ip("fd00::1"), 8)).isFalse();
  }

  @Test
  void twoNodesKeepConntrackdsDefaultPort() throws Exception {
    PairPorts ports = PairPorts.standard();
    List<InetAddress> cluster = List.of(ip("10.0.0.1"), ip("10.0.0.2"));

    assertThat(ports.port(ip("10.0.0.1"), ip("10.0.0.2"), cluster)).isEqualTo(3780);
    assertThat(ports.port(ip("10.0.0.2"), ip("10.0.0.1"), cluster)).isEqualTo(3780);
  }

  @Test
  void bothEndsOfAPairAgreeOnItsPortAndNoNodeHasTwoChannelsOnOnePort() throws Exception {
    PairPorts ports = PairPorts.standard();
    List<InetAddress> cluster =
        List.of(ip("10.99.3.4"), ip("10.99.3.10"), ip("10.99.3.2"), ip("10.99.3.3"));
    Set<Integer> all = new HashSet<>();
    for (InetAddress self : cluster) {
      Set<Integer> mine = new HashSet<>();
      for (InetAddress peer : cluster) {
        if (peer.equals(self)) {
          continue;
        }
        int port = ports.port(self, peer, cluster);
        // Each node sees the cluster in its own order; the port must not depend on it.
        List<InetAddress> seenByPeer = new ArrayList<>(cluster);
        java.util.Collections.reverse(seenByPeer);
        assertThat(ports.port(peer, self, seenByPeer)).isEqualTo(port);
        assertThat(mine.add(port)).as("%s has one channel on port %d", self, port).isTrue();
        all.add(port);
      }
    }
    assertThat(all).containsExactlyInAnyOrder(3780, 3781, 3782, 3783, 3784, 3785);
  }

  @Test
  void threeNodesUseThreeConsecutivePorts() throws Exception {
    PairPorts ports = PairPorts.standard();
    List<InetAddress> cluster = List.of(ip("10.99.3.2"), ip("10.99.3.3"), ip("10.99.3.4"));

    assertThat(ports.port(ip("10.99.3.2"), ip("10.99.3.3"), cluster)).isEqualTo(3780);
    assertThat(ports.port(ip("10.99.3.2"), ip("10.99.3.4"), cluster)).isEqualTo(3781);
    assertThat(ports.port(ip("10.99.3.3"), ip("10.99.3.4"), cluster)).isEqualTo(3782);
  }
}
