package io.flywall.conntrack;

import io.flywall.network.IpAddressEntry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One pair on the dedicated link conntrackd talks over: this node's address on the sync interface
 * and one peer's address in the same subnet, both of one family.
 */
public record SyncLink(
    String interfaceName, InetAddress localAddress, int prefixLength, InetAddress peerAddress) {

  public SyncLink {
    Objects.requireNonNull(interfaceName, "interfaceName");
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(peerAddress, "peerAddress");
    if (localAddress.getClass() != peerAddress.getClass()) {
      throw new IllegalArgumentException("local and peer sync addresses must be of one family");
    }
  }

  public boolean ipv4() {
    return localAddress instanceof Inet4Address;
  }

  /**
   * The links to every peer the config names inside a subnet of the sync interface, one per peer,
   * in the config's order. Each becomes its own conntrackd channel, so any number of nodes sync.
   */
  public static List<SyncLink> toEveryPeer(
      String interfaceName,
      List<IpAddressEntry> interfaceAddresses,
      Collection<InetAddress> peerAddresses)
      throws ConntrackSyncException {
    List<IpAddressEntry> usable =
        interfaceAddresses.stream()
            .filter(IpAddressEntry::usable)
            .filter(a -> !a.address().isLinkLocalAddress())
            .collect(Collectors.toList());
    if (usable.isEmpty()) {
      throw new ConntrackSyncException(
          "conntrack_sync.interface "
              + interfaceName
              + " has no usable IP address; "
              + "give it an address in the peers' subnet (e.g. ip addr add 10.0.3.1/24 dev "
              + interfaceName
              + ")");
    }
    Set<InetAddress> peers = new LinkedHashSet<>(peerAddresses);
    List<SyncLink> links = new ArrayList<>();
    for (InetAddress peer : peers) {
      for (IpAddressEntry own : usable) {
        if (!own.address().equals(peer) && sameSubnet(own.address(), peer, own.prefixLength())) {
          links.add(new SyncLink(interfaceName, own.address(), own.prefixLength(), peer));
          break;
        }
      }
    }
    if (links.isEmpty()) {
      String given =
          peers.isEmpty()
              ? "none"
              : peers.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "));
      String subnets =
          usable.stream()
              .map(a -> a.address().getHostAddress() + "/" + a.prefixLength())
              .collect(Collectors.joining(", "));
      throw new ConntrackSyncException(
          "no peer address in the config ("
              + given
              + ") lies in a subnet of "
              + "conntrack_sync.interface "
              + interfaceName
              + " ("
              + subnets
              + "); conntrackd needs the peers' addresses "
              + "on the sync link: set peer_addr/peer_addrs to the peers' sync-link addresses or use the interface that reaches them");
    }
    return List.copyOf(links);
  }

  static boolean sameSubnet(InetAddress a, InetAddress b, int prefixLength) {
    byte[] x = a.getAddress();
    byte[] y = b.getAddress();
    if (x.length != y.length) {
      return false;
    }
    int bits = Math.min(prefixLength, x.length * 8);
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >>> (i % 8);
      if ((x[i / 8] & mask) != (y[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }
}
