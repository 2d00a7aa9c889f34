package io.flywall.node;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address a replication listener without a host in {@code listen_addr} binds: this host's
 * address on the way to its peers (the kernel's source address for the first peer), so the listener
 * is not reachable on the VIPs or the LAN. Every address when there is no peer or no route to one
 * yet.
 */
final class SyncAddress {
  private static final Logger log = LoggerFactory.getLogger(SyncAddress.class);

  private SyncAddress() {}

  static InetAddress towards(List<InetAddress> peers) {
    InetAddress any = new InetSocketAddress(0).getAddress();
    if (peers.isEmpty()) {
      return any;
    }
    InetAddress peer = peers.get(0);
    // connect() on a datagram socket only asks the routing table; nothing is sent.
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(new InetSocketAddress(peer, 9));
      InetAddress local = probe.getLocalAddress();
      if (local != null && !local.isAnyLocalAddress()) {
        return local;
      }
    } catch (IOException | RuntimeException e) {
      log.warn(
          "listen_addr has no host and no route to peer {} was found ({}); replication listens on"
              + " every address (set listen_addr to this node's sync address to narrow it)",
          peer.getHostAddress(),
          e.getMessage());
    }
    return any;
  }
}
