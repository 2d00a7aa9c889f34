package io.flywall.network.kernel;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * rtnetlink attributes ({@code struct rtattr}): a 2-byte length, a 2-byte type and the value,
 * padded to 4 bytes. Built in order; parsed into a map by type (a repeated type keeps the last).
 */
final class RtAttributes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  RtAttributes add(int type, byte[] value) {
    int length = 4 + value.length;
    ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
    header.putShort((short) length).putShort((short) type);
    out.writeBytes(header.array());
    out.writeBytes(value);
    out.writeBytes(new byte[NetlinkMessage.align(length) - length]);
    return this;
  }

  RtAttributes addInt(int type, int value) {
    return add(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
  }

  /** A C string: the bytes and a terminating NUL, as the kernel expects for names. */
  RtAttributes addString(int type, String value) {
    return add(type, Arrays.copyOf(value.getBytes(StandardCharsets.UTF_8), value.length() + 1));
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** The attributes from {@code offset} to the end of {@code data}; stops at a malformed one. */
  static Map<Integer, byte[]> parse(byte[] data, int offset) {
    Map<Integer, byte[]> attributes = new HashMap<>();
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
    int position = offset;
    while (position + 4 <= data.length) {
      int length = Short.toUnsignedInt(in.getShort(position));
      // The top bits of the type are NLA_F_NESTED / NLA_F_NET_BYTEORDER, not part of the type.
      int type = Short.toUnsignedInt(in.getShort(position + 2)) & 0x3fff;
      if (length < 4 || position + length > data.length) {
        break;
      }
      attributes.put(type, Arrays.copyOfRange(data, position + 4, position + length));
      position += NetlinkMessage.align(length);
    }
    return attributes;
  }

  static int intValue(byte[] value) {
    return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
  }

  /** A C string value, without its NUL. */
  static String string(byte[] value) {
    int end = 0;
    while (end < value.length && value[end] != 0) {
      end++;
    }
    return new String(value, 0, end, StandardCharsets.UTF_8);
  }
}
