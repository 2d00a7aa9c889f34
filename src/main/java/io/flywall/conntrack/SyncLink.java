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
 * The dedicated link conntrackd talks over: this node's address on the sync interface and the
 * peer's address in the same subnet, both of one family.
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
   * Finds the link from the sync interface's addresses and the peers' addresses in the config.
   * conntrackd's unicast transport has exactly one destination, so exactly one peer must lie in one
   * of the interface's subnets.
   */
  public static SyncLink derive(
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
              + "give it an address in the peer's subnet (e.g. ip addr add 10.0.3.1/24 dev "
              + interfaceName
              + ")");
    }
    Set<InetAddress> peers = new LinkedHashSet<>(peerAddresses);
    List<SyncLink> matches = new ArrayList<>();
    for (InetAddress peer : peers) {
      for (IpAddressEntry own : usable) {
        if (!own.address().equals(peer) && sameSubnet(own.address(), peer, own.prefixLength())) {
          matches.add(new SyncLink(interfaceName, own.address(), own.prefixLength(), peer));
          break;
        }
      }
    }
    String subnets =
        usable.stream()
            .map(a -> a.address().getHostAddress() + "/" + a.prefixLength())
            .collect(Collectors.joining(", "));
    if (matches.isEmpty()) {
      String given =
          peers.isEmpty()
              ? "none"
              : peers.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(", "));
      throw new ConntrackSyncException(
          "no peer address in the config ("
              + given
              + ") lies in a subnet of "
              + "conntrack_sync.interface "
              + interfaceName
              + " ("
              + subnets
              + "); conntrackd needs the peer's address "
              + "on the sync link: set peer_addr to the peer's sync-link address or use the interface that reaches it");
    }
    if (matches.size() > 1) {
      throw new ConntrackSyncException(
          "conntrack sync pairs exactly two nodes, but several peers lie in a subnet of "
              + interfaceName
              + " ("
              + matches.stream()
                  .map(m -> m.peerAddress().getHostAddress())
                  .collect(Collectors.joining(", "))
              + ")");
    }
    return matches.get(0);
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
