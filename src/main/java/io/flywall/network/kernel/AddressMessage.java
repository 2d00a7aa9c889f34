package io.flywall.network.kernel;

import io.flywall.network.Vip;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The payloads of RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR: a {@code struct ifaddrmsg} (family,
 * prefix length, flags, scope, interface index) and its attributes.
 */
final class AddressMessage {

  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_GETADDR = 22;

  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int IFA_FLAGS = 8;

  static final int IFA_F_SECONDARY = 0x01;
  static final int IFA_F_NODAD = 0x02;
  static final int IFA_F_DADFAILED = 0x08;
  static final int IFA_F_TENTATIVE = 0x40;

  private AddressMessage() {}

  /**
   * Adds {@code vip} like {@code ip addr add VIP/LEN dev IF [nodad]}: IFA_LOCAL and IFA_ADDRESS
   * both the VIP; an IPv6 VIP skips duplicate address detection, which would leave it unusable for
   * a second after every move.
   */
  static byte[] add(Vip vip, int ifindex) {
    int flags = vip.ipv6() ? IFA_F_NODAD : 0;
    RtAttributes attributes =
        new RtAttributes()
            .add(IFA_LOCAL, vip.address().getAddress())
            .add(IFA_ADDRESS, vip.address().getAddress());
    if (vip.ipv6()) {
      attributes.addInt(IFA_FLAGS, flags);
    }
    return concat(header(vip, flags, ifindex), attributes.bytes());
  }

  /** Removes {@code vip} like {@code ip addr del VIP/LEN dev IF}. */
  static byte[] remove(Vip vip, int ifindex) {
    return concat(
        header(vip, 0, ifindex),
        new RtAttributes().add(IFA_LOCAL, vip.address().getAddress()).bytes());
  }

  /** Asks for every address of every interface (with NLM_F_DUMP). */
  static byte[] dumpAll() {
    return new byte[8];
  }

  private static byte[] header(Vip vip, int flags, int ifindex) {
    return ByteBuffer.allocate(8)
        .order(ByteOrder.nativeOrder())
        .put((byte) (vip.ipv6() ? Libc.AF_INET6 : Libc.AF_INET))
        .put((byte) vip.prefixLength())
        .put((byte) flags)
        .put((byte) 0)
        .putInt(ifindex)
        .array();
  }

  /** One address as the kernel reports it in RTM_NEWADDR; empty for a family we do not use. */
  static Optional<KernelAddress> parse(byte[] payload) {
    if (payload.length < 8) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    int family = Byte.toUnsignedInt(in.get(0));
    int prefixLength = Byte.toUnsignedInt(in.get(1));
    int flags = Byte.toUnsignedInt(in.get(2));
    int ifindex = in.getInt(4);
    if (family != Libc.AF_INET && family != Libc.AF_INET6) {
      return Optional.empty();
    }
    Map<Integer, byte[]> attributes = RtAttributes.parse(payload, 8);
    // IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links (IPv4).
    byte[] raw = attributes.getOrDefault(IFA_LOCAL, attributes.get(IFA_ADDRESS));
    if (raw == null || raw.length != (family == Libc.AF_INET ? 4 : 16)) {
      return Optional.empty();
    }
    if (attributes.containsKey(IFA_FLAGS)) {
      flags = RtAttributes.intValue(attributes.get(IFA_FLAGS));
    }
    try {
      return Optional.of(
          new KernelAddress(ifindex, InetAddress.getByAddress(raw), prefixLength, flags));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static byte[] concat(byte[] head, byte[] tail) {
    byte[] all = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  /** An address of an interface; {@code flags} are the kernel's IFA_F_* bits. */
  record KernelAddress(int ifindex, InetAddress address, int prefixLength, int flags) {

    /** Usable: neither still in duplicate address detection nor failed it. */
    boolean usable() {
      return (flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) == 0;
    }

    boolean is(Vip vip, int vipIfindex) {
      return ifindex == vipIfindex
          && prefixLength == vip.prefixLength()
          && (address instanceof Inet4Address) == !vip.ipv6()
          && Arrays.equals(address.getAddress(), vip.address().getAddress());
    }
  }
}
