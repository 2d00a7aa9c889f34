package io.flywall.network.kernel;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A raw ICMPv6 socket on one interface with hop limit 255 (RFC 4861 drops Neighbour Discovery that
 * crossed a router) that receives Neighbour Advertisements only. Needs CAP_NET_RAW.
 */
final class Icmpv6Socket implements AutoCloseable {

  private final KernelSocket socket;
  private final int ifindex;

  int ifindex() {
    return ifindex;
  }

  private final byte[] buffer = new byte[1500];

  private Icmpv6Socket(KernelSocket socket, int ifindex) {
    this.socket = socket;
    this.ifindex = ifindex;
  }

  /** A socket that sends and receives Neighbour Advertisements. */
  static Icmpv6Socket open(Libc libc, NetNamespace namespace, int ifindex, String ifname) {
    return open(libc, namespace, ifindex, ifname, true);
  }

  /** A socket that only sends: its filter blocks every ICMPv6 type, so nothing queues up. */
  static Icmpv6Socket sender(Libc libc, NetNamespace namespace, int ifindex, String ifname) {
    return open(libc, namespace, ifindex, ifname, false);
  }

  private static Icmpv6Socket open(
      Libc libc, NetNamespace namespace, int ifindex, String ifname, boolean receive) {
    KernelSocket socket =
        namespace.inside(
            libc,
            () ->
                KernelSocket.open(
                    libc,
                    Libc.AF_INET6,
                    Libc.SOCK_RAW,
                    Libc.IPPROTO_ICMPV6,
                    "ICMPv6 socket on " + ifname));
    try {
      byte[] name = Arrays.copyOf(ifname.getBytes(StandardCharsets.UTF_8), ifname.length() + 1);
      socket.option(Libc.SOL_SOCKET, Libc.SO_BINDTODEVICE, name);
      socket.option(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, ifindex);
      socket.option(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, 255);
      socket.option(Libc.IPPROTO_IPV6, Libc.IPV6_UNICAST_HOPS, 255);
      socket.option(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, 0);
      socket.option(
          Libc.IPPROTO_ICMPV6, Libc.ICMP6_FILTER, receive ? advertisementsOnly() : nothing());
      return new Icmpv6Socket(socket, ifindex);
    } catch (RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** {@code struct icmp6_filter}: 256 bits, a set bit blocks that ICMPv6 type. */
  static byte[] advertisementsOnly() {
    int[] words = new int[8];
    Arrays.fill(words, -1);
    words[NeighborDiscovery.ADVERTISEMENT >> 5] &= ~(1 << (NeighborDiscovery.ADVERTISEMENT & 31));
    ByteBuffer out = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
    for (int word : words) {
      out.putInt(word);
    }
    return out.array();
  }

  static byte[] nothing() {
    byte[] all = new byte[32];
    Arrays.fill(all, (byte) 0xff);
    return all;
  }

  /** {@code struct sockaddr_in6} with the interface as scope. */
  static byte[] socketAddress(Inet6Address address, int ifindex) {
    return ByteBuffer.allocate(28)
        .order(ByteOrder.nativeOrder())
        .putShort((short) Libc.AF_INET6)
        .putShort((short) 0)
        .putInt(0)
        .put(address.getAddress())
        .putInt(ifindex)
        .array();
  }

  void send(byte[] message, Inet6Address destination) {
    socket.send(message, message.length, socketAddress(destination, ifindex));
  }

  /** The next advertisement's bytes within {@code timeoutMillis}: its length, or -1. */
  int receive(int timeoutMillis) {
    return socket.receive(buffer, null, timeoutMillis);
  }

  byte[] buffer() {
    return buffer;
  }

  /**
   * The next advertisement already queued, read without waiting into {@code own} (the receiver
   * thread may be reading into {@link #buffer} at the same time): its length, or -1.
   */
  int receiveQueued(byte[] own) {
    return socket.receive(own, null, 0);
  }

  @Override
  public void close() {
    socket.close();
  }
}
