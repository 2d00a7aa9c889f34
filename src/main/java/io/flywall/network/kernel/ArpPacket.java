package io.flywall.network.kernel;

import io.flywall.network.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Optional;

/**
 * An Ethernet/IPv4 ARP packet (RFC 826), 28 bytes in network byte order, as an AF_PACKET SOCK_DGRAM
 * socket sends and receives it (the kernel adds and strips the Ethernet header).
 */
record ArpPacket(
    int operation,
    MacAddress senderMac,
    Inet4Address senderIp,
    MacAddress targetMac,
    Inet4Address targetIp) {

  static final int LENGTH = 28;
  static final int REQUEST = 1;
  static final int REPLY = 2;

  static final MacAddress ZERO_MAC = MacAddress.of("00:00:00:00:00:00");
  static final MacAddress BROADCAST = MacAddress.of("ff:ff:ff:ff:ff:ff");
  static final Inet4Address UNSPECIFIED = ipv4(new byte[4]);

  /**
   * A gratuitous ARP in request form (sender and target IP both the VIP, target MAC zero), as
   * keepalived sends it: every Linux neighbour updates an existing entry from a request (also with
   * arp_accept=0), while some hosts ignore unsolicited replies.
   */
  static ArpPacket gratuitous(MacAddress own, Inet4Address vip) {
    return new ArpPacket(REQUEST, own, vip, ZERO_MAC, vip);
  }

  /**
   * An ARP probe (RFC 5227): who has {@code vip}, from sender IP 0.0.0.0, so asking teaches no
   * neighbour anything about us; a holder answers with a reply carrying its MAC.
   */
  static ArpPacket probe(MacAddress own, Inet4Address vip) {
    return new ArpPacket(REQUEST, own, UNSPECIFIED, ZERO_MAC, vip);
  }

  byte[] encode() {
    return ByteBuffer.allocate(LENGTH)
        .putShort((short) 1) // hardware type: Ethernet
        .putShort((short) 0x0800) // protocol type: IPv4
        .put((byte) 6)
        .put((byte) 4)
        .putShort((short) operation)
        .put(bytes(senderMac))
        .put(senderIp.getAddress())
        .put(bytes(targetMac))
        .put(targetIp.getAddress())
        .array();
  }

  /** The packet in {@code data}, or empty when it is not an Ethernet/IPv4 ARP packet. */
  static Optional<ArpPacket> decode(byte[] data, int length) {
    if (length < LENGTH) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(data, 0, length);
    if (in.getShort() != 1 || in.getShort() != 0x0800 || in.get() != 6 || in.get() != 4) {
      return Optional.empty();
    }
    int operation = Short.toUnsignedInt(in.getShort());
    byte[] field = new byte[6];
    in.get(field);
    MacAddress senderMac = mac(field);
    byte[] ip = new byte[4];
    in.get(ip);
    Inet4Address senderIp = ipv4(ip);
    in.get(field);
    MacAddress targetMac = mac(field);
    in.get(ip);
    return Optional.of(new ArpPacket(operation, senderMac, senderIp, targetMac, ipv4(ip)));
  }

  static MacAddress mac(byte[] six) {
    return MacAddress.of(HexFormat.ofDelimiter(":").formatHex(six, 0, 6));
  }

  static byte[] bytes(MacAddress mac) {
    return HexFormat.ofDelimiter(":").parseHex(mac.value());
  }

  private static Inet4Address ipv4(byte[] four) {
    try {
      return (Inet4Address) InetAddress.getByAddress(four);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
