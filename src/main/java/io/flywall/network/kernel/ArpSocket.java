package io.flywall.network.kernel;

import io.flywall.network.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An AF_PACKET SOCK_DGRAM socket for ARP on one interface. Needs CAP_NET_RAW; a missing capability
 * fails at open with EPERM, which the plane turns into its fallback and an alarm.
 */
final class ArpSocket implements AutoCloseable {

  private final KernelSocket socket;
  private final int ifindex;

  int ifindex() {
    return ifindex;
  }

  private final byte[] buffer = new byte[1500];

  private ArpSocket(KernelSocket socket, int ifindex) {
    this.socket = socket;
    this.ifindex = ifindex;
  }

  /** A socket that sends and receives ARP. */
  static ArpSocket open(Libc libc, NetNamespace namespace, int ifindex, String ifname) {
    return open(libc, namespace, ifindex, ifname, true);
  }

  /**
   * A socket that only sends: bound to protocol 0, the kernel queues it no incoming packets. Kept
   * open between announcements: closing an AF_PACKET socket waits for an RCU grace period
   * (synchronize_net), tens of milliseconds.
   */
  static ArpSocket sender(Libc libc, NetNamespace namespace, int ifindex, String ifname) {
    return open(libc, namespace, ifindex, ifname, false);
  }

  private static ArpSocket open(
      Libc libc, NetNamespace namespace, int ifindex, String ifname, boolean receive) {
    // Opened for no protocol and bound to ARP on one interface: opening for ARP and then binding
    // would unregister the first hook and wait for an RCU grace period (tens of milliseconds).
    KernelSocket socket =
        namespace.inside(
            libc,
            () ->
                KernelSocket.open(
                    libc, Libc.AF_PACKET, Libc.SOCK_DGRAM, 0, "ARP socket on " + ifname));
    try {
      // Bound to the interface: only its ARP traffic arrives, and sends leave through it.
      socket.bind(linkAddress(ifindex, ArpPacket.ZERO_MAC, receive ? Libc.ETH_P_ARP : 0));
      return new ArpSocket(socket, ifindex);
    } catch (RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * {@code struct sockaddr_ll}: family, protocol (network order), ifindex, hardware type, packet
   * type, address length, address (8 bytes).
   */
  static byte[] linkAddress(int ifindex, MacAddress destination) {
    return linkAddress(ifindex, destination, Libc.ETH_P_ARP);
  }

  private static byte[] linkAddress(int ifindex, MacAddress destination, int protocol) {
    return ByteBuffer.allocate(20)
        .order(ByteOrder.nativeOrder())
        .putShort((short) Libc.AF_PACKET)
        .order(ByteOrder.BIG_ENDIAN)
        .putShort((short) protocol)
        .order(ByteOrder.nativeOrder())
        .putInt(ifindex)
        .putShort((short) LinkMessage.ARPHRD_ETHER)
        .put((byte) 0)
        .put((byte) 6)
        .put(ArpPacket.bytes(destination))
        .put(new byte[2])
        .array();
  }

  /** Broadcasts {@code packet} on the interface. */
  void broadcast(ArpPacket packet) {
    byte[] data = packet.encode();
    socket.send(data, data.length, linkAddress(ifindex, ArpPacket.BROADCAST));
  }

  /** The next ARP packet within {@code timeoutMillis}, or empty. */
  Optional<ArpPacket> receive(int timeoutMillis) {
    int length = socket.receive(buffer, null, timeoutMillis);
    return length < 0 ? Optional.empty() : ArpPacket.decode(buffer, length);
  }

  /**
   * The ARP packets already queued on the socket, at most {@code limit}, read without waiting into
   * a buffer of their own: the receiver thread may be reading at the same time.
   */
  List<ArpPacket> queued(int limit) {
    byte[] own = new byte[buffer.length];
    List<ArpPacket> packets = new ArrayList<>();
    for (int read = 0; read < limit; read++) {
      int length = socket.receive(own, null, 0);
      if (length < 0) {
        break;
      }
      ArpPacket.decode(own, length).ifPresent(packets::add);
    }
    return packets;
  }

  @Override
  public void close() {
    socket.close();
  }
}
