package io.flywall.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads heartbeat fields from a bounded slice of a buffer. Every read is bounds-checked and fails
 * with {@link Malformed} rather than an unchecked exception, so the decoder cannot throw.
 */
final class WireReader {

  /** The datagram does not parse; the message says where. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private final byte[] buf;
  private final int end;
  private int position;

  WireReader(byte[] buf, int offset, int end) {
    this.buf = buf;
    this.position = offset;
    this.end = end;
  }

  int u8(String field) throws Malformed {
    need(1, field);
    return buf[position++] & 0xFF;
  }

  int u16(String field) throws Malformed {
    need(2, field);
    int value = ((buf[position] & 0xFF) << 8) | (buf[position + 1] & 0xFF);
    position += 2;
    return value;
  }

  /** A non-negative long in minimal unsigned LEB128; overlong or overflowing forms are refused. */
  long varint(String field) throws Malformed {
    long value = 0;
    for (int shift = 0; shift < 63; shift += 7) {
      int b = u8(field);
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw new Malformed(field + ": varint is not minimally encoded");
        }
        return value;
      }
    }
    throw new Malformed(field + ": varint longer than 9 bytes");
  }

  /** Length-prefixed UTF-8 of at most {@code maxBytes}; invalid UTF-8 is refused, not replaced. */
  String string(String field, int maxBytes) throws Malformed {
    long length = varint(field + " length");
    if (length > maxBytes) {
      throw new Malformed(field + ": " + length + " bytes, at most " + maxBytes + " allowed");
    }
    need((int) length, field);
    try {
      String value =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, position, (int) length))
              .toString();
      position += (int) length;
      return value;
    } catch (CharacterCodingException e) {
      throw new Malformed(field + ": not valid UTF-8");
    }
  }

  void expectEnd() throws Malformed {
    if (position != end) {
      throw new Malformed((end - position) + " unexpected trailing bytes");
    }
  }

  private void need(int count, String field) throws Malformed {
    if (count > end - position) {
      throw new Malformed(field + ": truncated");
    }
  }
}
