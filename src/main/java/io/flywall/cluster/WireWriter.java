package io.flywall.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Appends heartbeat fields: unsigned LEB128 varints, fixed bytes and length-prefixed UTF-8. */
final class WireWriter {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(128);

  WireWriter bytes(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  WireWriter u8(int value) {
    out.write(value & 0xFF);
    return this;
  }

  WireWriter u16(int value) {
    out.write((value >>> 8) & 0xFF);
    out.write(value & 0xFF);
    return this;
  }

  WireWriter varint(long value) {
    long rest = value;
    while ((rest & ~0x7FL) != 0) {
      out.write((int) ((rest & 0x7F) | 0x80));
      rest >>>= 7;
    }
    out.write((int) rest);
    return this;
  }

  WireWriter string(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    varint(utf8.length);
    return bytes(utf8);
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
