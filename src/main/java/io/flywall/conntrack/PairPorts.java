package io.flywall.conntrack;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * The UDP port each pair of nodes syncs on. Both ends of a pair must pick the same port, and the
 * channels of one node must not share one, so the port numbers the pair in the sorted list of the
 * cluster's sync addresses: pair (i, j), i &lt; j, gets {@code base + j(j-1)/2 + i}. Two nodes use
 * {@code base} (conntrackd's default 3780); three use base, base+1 and base+2. Every node computes
 * the same list when every config names the same nodes, which the cluster needs anyway.
 */
public record PairPorts(int base) {

  public static PairPorts standard() {
    return new PairPorts(ConntrackdConf.DEFAULT_PORT);
  }

  /** The port of the pair {@code self}–{@code peer}; {@code cluster} holds both of them. */
  public int port(InetAddress self, InetAddress peer, Collection<InetAddress> cluster) {
    List<InetAddress> sorted = sorted(cluster);
    int a = sorted.indexOf(self);
    int b = sorted.indexOf(peer);
    if (a < 0 || b < 0 || a == b) {
      throw new IllegalArgumentException(
          "a pair needs two different members of the cluster: " + self + ", " + peer);
    }
    int i = Math.min(a, b);
    int j = Math.max(a, b);
    return base + j * (j - 1) / 2 + i;
  }

  private static List<InetAddress> sorted(Collection<InetAddress> cluster) {
    Comparator<InetAddress> byBytes =
        Comparator.<InetAddress>comparingInt(a -> a.getAddress().length)
            .thenComparing((x, y) -> Arrays.compareUnsigned(x.getAddress(), y.getAddress()));
    TreeSet<InetAddress> set = new TreeSet<>(byBytes);
    set.addAll(cluster);
    return List.copyOf(set);
  }
}
