package io.flywall.replication;

import io.flywall.state.Change;
import io.flywall.state.Hlc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The change lists of batches, snapshot chunks and merges, written and read straight on the byte
 * arrays: the very bytes {@code DataOutputStream} writes (big-endian numbers, {@code writeUTF}'s
 * modified UTF-8 with a two-byte length), for a fraction of the CPU. Through the data streams every
 * field was a synchronized call on the byte-array stream beneath and every string a copy or two; it
 * was a third of a snapshot sender's CPU and a third of its receiver's decoding. A bucket or origin
 * equal to the previous row's is the same String (rows of one list mostly share both).
 */
final class ChangeWire {
  static final int MAX_LIST = 1_000_000;
  static final int MAX_STRING = 64 * 1024;
  private static final int MAX_UTF_BYTES = 65_535;
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private ChangeWire() {}

  /** A byte-array output the change list is written into directly (the frame's payload). */
  static final class Output extends ByteArrayOutputStream {
    Output(int size) {
      super(size);
    }

    private void ensure(int more) {
      if (count + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
      }
    }

    void putInt(int v) {
      ensure(4);
      INT.set(buf, count, v);
      count += 4;
    }

    void putLong(long v) {
      ensure(8);
      LONG.set(buf, count, v);
      count += 8;
    }

    void putBytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, count, bytes.length);
      count += bytes.length;
    }

    /** As {@code DataOutput.writeUTF}: modified UTF-8 (no NUL byte, surrogates one by one). */
    void putUtf(String s) throws UTFDataFormatException {
      int chars = s.length();
      int bytes = chars;
      for (int i = 0; i < chars; i++) {
        char c = s.charAt(i);
        if (c == 0 || c >= 0x80) {
          bytes += c >= 0x800 ? 2 : 1;
        }
      }
      if (bytes > MAX_UTF_BYTES) {
        throw new UTFDataFormatException("encoded string too long: " + bytes + " bytes");
      }
      ensure(2 + bytes);
      buf[count++] = (byte) (bytes >>> 8);
      buf[count++] = (byte) bytes;
      if (bytes == chars) {
        for (int i = 0; i < chars; i++) {
          buf[count + i] = (byte) s.charAt(i);
        }
        count += chars;
        return;
      }
      for (int i = 0; i < chars; i++) {
        char c = s.charAt(i);
        if (c != 0 && c < 0x80) {
          buf[count++] = (byte) c;
        } else if (c < 0x800) {
          buf[count++] = (byte) (0xC0 | c >> 6);
          buf[count++] = (byte) (0x80 | c & 0x3F);
        } else {
          buf[count++] = (byte) (0xE0 | c >> 12);
          buf[count++] = (byte) (0x80 | c >> 6 & 0x3F);
          buf[count++] = (byte) (0x80 | c & 0x3F);
        }
      }
    }
  }

  /** A byte-array input the change list is read from directly (a frame's payload). */
  static final class Input extends ByteArrayInputStream {
    private String lastBucket = "";
    private String lastOrigin = "";

    Input(byte[] bytes) {
      super(bytes);
    }

    private void need(int n) throws EOFException {
      if (count - pos < n) {
        throw new EOFException();
      }
    }

    int getInt() throws EOFException {
      need(4);
      int v = (int) INT.get(buf, pos);
      pos += 4;
      return v;
    }

    long getLong() throws EOFException {
      need(8);
      long v = (long) LONG.get(buf, pos);
      pos += 8;
      return v;
    }

    /** As {@code DataInput.readUTF}; {@code previous} is returned when the bytes spell it. */
    String getUtf(String previous) throws IOException, WireFormatException {
      need(2);
      int length = (buf[pos] & 0xff) << 8 | buf[pos + 1] & 0xff;
      need(2 + length);
      int from = pos + 2;
      boolean ascii = true;
      for (int i = from; i < from + length; i++) {
        if (buf[i] < 0) {
          ascii = false;
          break;
        }
      }
      String s;
      if (!ascii) {
        // Anything but ASCII the slow, exact way (malformed input fails as readUTF fails).
        s = new DataInputStream(new ByteArrayInputStream(buf, pos, 2 + length)).readUTF();
      } else if (spells(previous, from, length)) {
        s = previous;
      } else {
        s = new String(buf, from, length, StandardCharsets.ISO_8859_1);
      }
      pos = from + length;
      if (s.length() > MAX_STRING) {
        throw new WireFormatException("string too long");
      }
      return s;
    }

    /** Whether the ASCII bytes at {@code from} are {@code s}'s characters. */
    private boolean spells(String s, int from, int length) {
      if (s.length() != length) {
        return false;
      }
      for (int i = 0; i < length; i++) {
        if (s.charAt(i) != buf[from + i]) {
          return false;
        }
      }
      return true;
    }

    byte[] getBytes(int length) throws WireFormatException {
      if (length < 0 || length > count - pos) {
        throw new WireFormatException("byte field length " + length + " out of range");
      }
      byte[] bytes = Arrays.copyOfRange(buf, pos, pos + length);
      pos += length;
      return bytes;
    }
  }

  static void write(Output out, List<Change> changes) throws UTFDataFormatException {
    out.putInt(changes.size());
    for (Change c : changes) {
      out.putLong(c.seq());
      out.putLong(c.epoch());
      out.putUtf(c.bucket());
      out.putUtf(c.key());
      out.putInt(c.value() == null ? -1 : c.value().length);
      if (c.value() != null) {
        out.putBytes(c.value());
      }
      out.putLong(c.version());
      out.putLong(c.hlc().value());
      out.putUtf(c.origin());
      out.putLong(c.expiresAtMillis());
    }
  }

  static List<Change> read(Input in) throws IOException, WireFormatException {
    int count = in.getInt();
    if (count < 0 || count > MAX_LIST || count > in.available()) {
      throw new WireFormatException("change count " + count + " out of range");
    }
    List<Change> changes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long seq = nonNegative(in.getLong());
      long epoch = nonNegative(in.getLong());
      String bucket = in.getUtf(in.lastBucket);
      String key = in.getUtf("");
      int length = in.getInt();
      byte[] value = length == -1 ? null : in.getBytes(length);
      long version = nonNegative(in.getLong());
      Hlc hlc = new Hlc(nonNegative(in.getLong()));
      String origin = in.getUtf(in.lastOrigin);
      long expires = nonNegative(in.getLong());
      if (bucket.isEmpty() || key.isEmpty() || origin.isEmpty()) {
        throw new WireFormatException("change with an empty bucket, key or origin");
      }
      in.lastBucket = bucket;
      in.lastOrigin = origin;
      changes.add(new Change(seq, epoch, bucket, key, value, version, hlc, origin, expires));
    }
    return changes;
  }

  static long nonNegative(long value) throws WireFormatException {
    if (value < 0) {
      throw new WireFormatException("negative position, version or time: " + value);
    }
    return value;
  }
}
