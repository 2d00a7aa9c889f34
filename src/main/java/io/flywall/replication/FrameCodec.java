package io.flywall.replication;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Frames on the replication channel: {@code magic, type, flags, length(4), payload, mac(16)}. The
 * MAC (HMAC-SHA256 truncated to 16 bytes, under the session key) covers the direction and a
 * per-direction counter too, so a frame cut, altered, replayed, reordered or reflected back is
 * rejected. One codec per connection end; not thread-safe per direction.
 */
public final class FrameCodec {
  static final byte MAGIC = (byte) 0xF7;
  static final int HEADER_BYTES = 7;
  static final int MAC_BYTES = 16;
  public static final int MAX_PAYLOAD = 16 * 1024 * 1024;

  private final Mac sendMac;
  private final Mac receiveMac;
  private final byte sendDirection;
  private final byte receiveDirection;
  private long sent;
  private long received;

  /** {@code initiator}: the end that connected; the two directions use distinct MAC inputs. */
  public FrameCodec(byte[] sessionKey, boolean initiator) {
    this.sendMac = hmac(sessionKey);
    this.receiveMac = hmac(sessionKey);
    this.sendDirection = (byte) (initiator ? 1 : 2);
    this.receiveDirection = (byte) (initiator ? 2 : 1);
  }

  /** Bytes of a frame on the wire, for accounting. */
  public static int wireSize(Frame frame) {
    return HEADER_BYTES + frame.payload().length + MAC_BYTES;
  }

  public synchronized byte[] encode(Frame frame) {
    if (frame.payload().length > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "frame payload " + frame.payload().length + " exceeds " + MAX_PAYLOAD);
    }
    byte[] header = header(frame.type(), frame.flags(), frame.payload().length);
    byte[] tag = tag(sendMac, sendDirection, sent++, header, frame.payload());
    return ByteBuffer.allocate(header.length + frame.payload().length + MAC_BYTES)
        .put(header)
        .put(frame.payload())
        .put(tag)
        .array();
  }

  public void write(OutputStream out, Frame frame) throws IOException {
    out.write(encode(frame));
    out.flush();
  }

  /** Decodes exactly one whole frame. */
  public Frame decode(byte[] wire) throws WireFormatException {
    if (wire.length < HEADER_BYTES + MAC_BYTES) {
      throw new WireFormatException("frame too short: " + wire.length + " bytes");
    }
    byte[] header = Arrays.copyOf(wire, HEADER_BYTES);
    int length = checkHeader(header);
    if (wire.length != HEADER_BYTES + length + MAC_BYTES) {
      throw new WireFormatException(
          "frame length " + length + " does not match its " + wire.length + " bytes");
    }
    return verify(
        header,
        Arrays.copyOfRange(wire, HEADER_BYTES, HEADER_BYTES + length),
        Arrays.copyOfRange(wire, HEADER_BYTES + length, wire.length));
  }

  /** Reads one frame; a stream that ends inside a frame is a truncated frame. */
  public Frame read(InputStream in) throws IOException, WireFormatException {
    byte[] header = readFully(in, HEADER_BYTES, true);
    int length = checkHeader(header);
    byte[] payload = readFully(in, length, false);
    byte[] tag = readFully(in, MAC_BYTES, false);
    return verify(header, payload, tag);
  }

  private synchronized Frame verify(byte[] header, byte[] payload, byte[] tag)
      throws WireFormatException {
    byte[] expected = tag(receiveMac, receiveDirection, received, header, payload);
    if (!MessageDigest.isEqual(expected, tag)) {
      throw new WireFormatException(
          "frame authentication failed (corrupt, forged or replayed frame)");
    }
    received++;
    return new Frame(header[1], header[2], payload);
  }

  private static int checkHeader(byte[] header) throws WireFormatException {
    if (header[0] != MAGIC) {
      throw new WireFormatException("not a replication frame (bad magic byte)");
    }
    int length = ByteBuffer.wrap(header, 3, 4).getInt();
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new WireFormatException("frame length " + length + " out of range");
    }
    return length;
  }

  private static byte[] header(byte type, byte flags, int length) {
    return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).put(type).put(flags).putInt(length).array();
  }

  private static byte[] tag(Mac mac, byte direction, long counter, byte[] header, byte[] payload) {
    mac.update(direction);
    mac.update(ByteBuffer.allocate(8).putLong(counter).array());
    mac.update(header);
    mac.update(payload);
    return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
  }

  private static byte[] readFully(InputStream in, int length, boolean atBoundary)
      throws IOException, WireFormatException {
    byte[] bytes = new byte[length];
    int off = 0;
    while (off < length) {
      int n = in.read(bytes, off, length - off);
      if (n < 0) {
        if (atBoundary && off == 0) {
          throw new EOFException("peer closed the connection");
        }
        throw new WireFormatException(
            "truncated frame: stream ended after " + off + " of " + length + " bytes");
      }
      off += n;
    }
    return bytes;
  }

  static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
    }
  }
}
