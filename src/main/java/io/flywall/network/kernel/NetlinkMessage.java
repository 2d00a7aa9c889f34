package io.flywall.network.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One netlink message: the 16-byte {@code nlmsghdr} (length, type, flags, sequence, port; host byte
 * order) and its payload. Messages are padded to 4 bytes; several may share one datagram.
 */
record NetlinkMessage(int type, int flags, int sequence, int port, byte[] payload) {

  static final int HEADER = 16;

  static final int NLMSG_NOOP = 1;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLMSG_OVERRUN = 4;

  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_MULTI = 0x2;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP_INTR = 0x10;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;
  static final int NLM_F_CAPPED = 0x100;
  static final int NLM_F_ACK_TLVS = 0x200;

  static final int NLMSGERR_ATTR_MSG = 1;

  byte[] encode() {
    int length = HEADER + payload.length;
    ByteBuffer out = ByteBuffer.allocate(align(length)).order(ByteOrder.nativeOrder());
    out.putInt(length).putShort((short) type).putShort((short) flags);
    out.putInt(sequence).putInt(port).put(payload);
    return out.array();
  }

  /** Every message of one received datagram; a truncated or malformed one ends the list. */
  static List<NetlinkMessage> decode(byte[] datagram, int length) {
    ByteBuffer in = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
    List<NetlinkMessage> messages = new ArrayList<>();
    while (in.remaining() >= HEADER) {
      int start = in.position();
      int messageLength = in.getInt();
      if (messageLength < HEADER || messageLength > length - start) {
        break;
      }
      int type = Short.toUnsignedInt(in.getShort());
      int flags = Short.toUnsignedInt(in.getShort());
      int sequence = in.getInt();
      int port = in.getInt();
      byte[] payload = Arrays.copyOfRange(datagram, start + HEADER, start + messageLength);
      messages.add(new NetlinkMessage(type, flags, sequence, port, payload));
      in.position(Math.min(length, start + align(messageLength)));
    }
    return messages;
  }

  /** For an NLMSG_ERROR: the errno (0 is an acknowledgement), positive. */
  int errno() {
    return -ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder()).getInt(0);
  }

  /** For an NLMSG_ERROR with extended acknowledgement: the kernel's own words, or empty. */
  String extendedMessage() {
    if ((flags & NLM_F_ACK_TLVS) == 0 || payload.length < 4 + HEADER) {
      return "";
    }
    int original = ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder()).getInt(4);
    int offset = 4 + ((flags & NLM_F_CAPPED) != 0 ? HEADER : align(original));
    if (offset > payload.length) {
      return "";
    }
    byte[] text = RtAttributes.parse(payload, offset).get(NLMSGERR_ATTR_MSG);
    return text == null ? "" : RtAttributes.string(text);
  }

  static int align(int length) {
    return (length + 3) & ~3;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NetlinkMessage m
        && type == m.type
        && flags == m.flags
        && sequence == m.sequence
        && port == m.port
        && Arrays.equals(payload, m.payload);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(payload) * 31 + type;
  }

  @Override
  public String toString() {
    return "NetlinkMessage[type="
        + type
        + ", flags=0x"
        + Integer.toHexString(flags)
        + ", seq="
        + sequence
        + ", "
        + payload.length
        + " bytes]";
  }
}
