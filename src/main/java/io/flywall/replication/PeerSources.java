package io.flywall.replication;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/**
 * The addresses replicas may connect from: the configured peers. A connection from anywhere else is
 * closed before it costs a handshake, so a host on the sync network without the secret cannot tie
 * up the listener's threads or its CPU with TLS handshakes.
 */
public record PeerSources(Set<InetAddress> addresses) {

  public PeerSources {
    addresses = Set.copyOf(addresses.stream().map(PeerSources::plain).toList());
  }

  /** No peer: nobody may connect (a standalone node serves no replica). */
  public static PeerSources none() {
    return new PeerSources(Set.of());
  }

  public boolean admits(InetAddress source) {
    return source != null && addresses.contains(plain(source));
  }

  /**
   * An IPv4 peer seen through a dual-stack socket arrives as ::ffff:a.b.c.d; compare it as IPv4.
   */
  private static InetAddress plain(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        try {
          return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
      }
    }
    return address;
  }
}
