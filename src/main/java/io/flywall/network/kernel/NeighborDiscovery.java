package io.flywall.network.kernel;

import io.flywall.network.MacAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * Neighbour Discovery messages (RFC 4861) as a raw ICMPv6 socket sends and receives them: the
 * ICMPv6 message alone, without the IPv6 header. The checksum field is left zero: on an ICMPv6 raw
 * socket the kernel always computes it (RFC 3542 section 3.1), over the source address it picks.
 */
final class NeighborDiscovery {

  static final int SOLICITATION = 135;
  static final int ADVERTISEMENT = 136;

  static final int FLAG_ROUTER = 0x80000000;
  static final int FLAG_SOLICITED = 0x40000000;
  static final int FLAG_OVERRIDE = 0x20000000;

  static final int OPTION_SOURCE_LINK_ADDRESS = 1;
  static final int OPTION_TARGET_LINK_ADDRESS = 2;

  static final int LENGTH = 32;

  static final Inet6Address ALL_NODES = ipv6(bytes("ff020000000000000000000000000001"));

  private NeighborDiscovery() {}

  /**
   * An unsolicited Neighbour Advertisement for {@code target}: Override set (replace cached MACs),
   * Solicited clear (it answers nobody), Router as the node forwards, and the target link-layer
   * address option carrying our MAC.
   */
  static byte[] advertisement(Inet6Address target, MacAddress own, boolean router) {
    int flags = FLAG_OVERRIDE | (router ? FLAG_ROUTER : 0);
    return message(ADVERTISEMENT, flags, target, OPTION_TARGET_LINK_ADDRESS, own);
  }

  /** A Neighbour Solicitation asking who has {@code target}, with our MAC as source option. */
  static byte[] solicitation(Inet6Address target, MacAddress own) {
    return message(SOLICITATION, 0, target, OPTION_SOURCE_LINK_ADDRESS, own);
  }

  private static byte[] message(
      int type, int flags, Inet6Address target, int option, MacAddress mac) {
    return ByteBuffer.allocate(LENGTH)
        .put((byte) type)
        .put((byte) 0) // code
        .putShort((short) 0) // checksum: the kernel's
        .putInt(flags)
        .put(target.getAddress())
        .put((byte) option)
        .put((byte) 1) // option length in units of 8 bytes
        .put(ArpPacket.bytes(mac))
        .array();
  }

  /** The solicited-node multicast address of {@code target}: ff02::1:ff + its last 24 bits. */
  static Inet6Address solicitedNode(Inet6Address target) {
    byte[] group = bytes("ff0200000000000000000001ff000000");
    byte[] address = target.getAddress();
    System.arraycopy(address, 13, group, 13, 3);
    return ipv6(group);
  }

  /**
   * A received Neighbour Advertisement: its target and the MAC in its target link-layer address
   * option (empty when the option is absent, as in some solicited answers to unicast).
   */
  record Advertisement(Inet6Address target, int flags, Optional<MacAddress> mac) {}

  static Optional<Advertisement> decodeAdvertisement(byte[] data, int length) {
    if (length < 24 || Byte.toUnsignedInt(data[0]) != ADVERTISEMENT || data[1] != 0) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(data, 0, length);
    int flags = in.getInt(4);
    Inet6Address target = ipv6(Arrays.copyOfRange(data, 8, 24));
    Optional<MacAddress> mac = Optional.empty();
    int position = 24;
    while (position + 2 <= length) {
      int type = Byte.toUnsignedInt(data[position]);
      int size = Byte.toUnsignedInt(data[position + 1]) * 8;
      if (size == 0 || position + size > length) {
        break; // RFC 4861 7.1.2: a zero-length option makes the message invalid from here on
      }
      if (type == OPTION_TARGET_LINK_ADDRESS && size >= 8) {
        mac = Optional.of(ArpPacket.mac(Arrays.copyOfRange(data, position + 2, position + 8)));
      }
      position += size;
    }
    return Optional.of(new Advertisement(target, flags, mac));
  }

  static Inet6Address ipv6(byte[] sixteen) {
    try {
      return (Inet6Address) InetAddress.getByAddress(sixteen);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static byte[] bytes(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }
}
