package io.flywall.network.kernel;

import io.flywall.network.LinkState;
import io.flywall.network.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;

/**
 * The payloads of RTM_GETLINK / RTM_NEWLINK / RTM_DELLINK: a {@code struct ifinfomsg} (family,
 * device type, index, flags, change mask) and its attributes.
 */
final class LinkMessage {

  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;

  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_OPERSTATE = 16;

  static final int IFF_UP = 0x1;
  static final int IFF_LOWER_UP = 0x10000;

  static final int ARPHRD_ETHER = 1;

  /** RFC 2863 operational states as the kernel numbers them. */
  private static final String[] OPERSTATES = {
    "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"
  };

  static final int IF_OPER_UNKNOWN = 0;
  static final int IF_OPER_UP = 6;

  private LinkMessage() {}

  /** Asks for one interface by name (answered by one RTM_NEWLINK, or ENODEV). */
  static byte[] getByName(String name) {
    return concat(header(0), new RtAttributes().addString(IFLA_IFNAME, name).bytes());
  }

  /** Asks for every interface (with NLM_F_DUMP). */
  static byte[] dumpAll() {
    return header(0);
  }

  private static byte[] header(int index) {
    return ByteBuffer.allocate(16)
        .order(ByteOrder.nativeOrder())
        .put((byte) Libc.AF_UNSPEC)
        .put((byte) 0)
        .putShort((short) 0)
        .putInt(index)
        .putInt(0)
        .putInt(0)
        .array();
  }

  static Optional<KernelLink> parse(byte[] payload) {
    if (payload.length < 16) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    int type = Short.toUnsignedInt(in.getShort(2));
    int index = in.getInt(4);
    int flags = in.getInt(8);
    Map<Integer, byte[]> attributes = RtAttributes.parse(payload, 16);
    byte[] name = attributes.get(IFLA_IFNAME);
    if (name == null) {
      return Optional.empty();
    }
    byte[] operstate = attributes.get(IFLA_OPERSTATE);
    byte[] address = attributes.get(IFLA_ADDRESS);
    Optional<MacAddress> mac =
        type == ARPHRD_ETHER && address != null && address.length == 6
            ? Optional.of(ArpPacket.mac(address))
            : Optional.empty();
    return Optional.of(
        new KernelLink(
            index,
            RtAttributes.string(name),
            flags,
            operstate == null || operstate.length < 1
                ? IF_OPER_UNKNOWN
                : Byte.toUnsignedInt(operstate[0]),
            mac));
  }

  private static byte[] concat(byte[] head, byte[] tail) {
    byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  /** One interface as rtnetlink reports it. */
  record KernelLink(int index, String name, int flags, int operstate, Optional<MacAddress> mac) {

    /**
     * The same verdict as {@link io.flywall.network.LinkMonitor}: up when administratively up, with
     * carrier, and operstate UP or UNKNOWN (drivers without operstate support).
     */
    LinkState state() {
      if ((flags & IFF_UP) == 0) {
        return LinkState.down(name, "administratively down");
      }
      if ((flags & IFF_LOWER_UP) == 0) {
        return LinkState.down(name, "no carrier");
      }
      if (operstate != IF_OPER_UP && operstate != IF_OPER_UNKNOWN) {
        String text = operstate < OPERSTATES.length ? OPERSTATES[operstate] : "state " + operstate;
        return LinkState.down(name, "operstate " + text);
      }
      return LinkState.up(name);
    }
  }
}
