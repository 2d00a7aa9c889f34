package io.flywall.replication;

import com.github.luben.zstd.Zstd;
import io.flywall.state.Change;
import io.flywall.state.LogPoint;
import io.flywall.state.SnapshotHeader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Messages to frames and back. Change lists are zstd-compressed when {@code compression} is on and
 * it pays; any malformed payload is a {@link WireFormatException}, never a crash.
 */
public final class MessageCodec {
  /**
   * How many bytes of changes (by {@link Change#sizeBound}) a sender puts in one message, plus one
   * change: with values of at most {@link io.flywall.state.WriteOp#MAX_VALUE_BYTES} a message stays
   * below the frame limit whatever the changes are.
   */
  public static final long CHANGE_BYTES = 4L * 1024 * 1024;

  private static final int COMPRESS_ABOVE = 256;
  private static final int MAX_STRING = ChangeWire.MAX_STRING;

  private final boolean compression;

  public MessageCodec(boolean compression) {
    this.compression = compression;
  }

  /** A frame together with the size of its payload before compression, for the stats. */
  public record Encoded(Frame frame, int rawBytes) {}

  /**
   * The frame of {@code message}; a message too large for a frame (the caller did not cut its
   * changes by {@link #CHANGE_BYTES}) is an {@link IllegalArgumentException}.
   */
  public Encoded encode(ReplicationMessage message) {
    ChangeWire.Output buffer = new ChangeWire.Output(estimate(message));
    // The data stream writes straight through (no buffer of its own): the change lists are
    // written into the same buffer after it.
    DataOutputStream out = new DataOutputStream(buffer);
    byte type;
    try {
      if (message instanceof ReplicationMessage.Follow m) {
        type = 1;
        out.writeUTF(m.point().historyId());
        out.writeLong(m.point().epoch());
        out.writeLong(m.point().position());
        out.writeLong(m.knownEpoch());
      } else if (message instanceof ReplicationMessage.Batch m) {
        type = 2;
        out.writeLong(m.epoch());
        ChangeWire.write(buffer, m.changes());
      } else if (message instanceof ReplicationMessage.Position m) {
        type = 3;
        out.writeLong(m.epoch());
        out.writeLong(m.position());
        out.writeLong(m.checksum());
      } else if (message instanceof ReplicationMessage.Ack m) {
        type = 4;
        out.writeLong(m.position());
        out.writeLong(m.checksum());
      } else if (message instanceof ReplicationMessage.SnapshotBegin m) {
        type = 5;
        out.writeLong(m.epoch());
        out.writeUTF(m.header().historyId());
        out.writeLong(m.header().position());
        out.writeLong(m.header().epoch());
        out.writeLong(m.header().entries());
      } else if (message instanceof ReplicationMessage.SnapshotChunk m) {
        type = 6;
        ChangeWire.write(buffer, m.rows());
      } else if (message instanceof ReplicationMessage.SnapshotEnd m) {
        type = 7;
        out.writeLong(m.checksum());
      } else if (message instanceof ReplicationMessage.Diverged m) {
        type = 8;
        out.writeLong(m.agreed());
      } else if (message instanceof ReplicationMessage.Divergent m) {
        type = 9;
        out.writeBoolean(m.last());
        ChangeWire.write(buffer, m.changes());
      } else if (message instanceof ReplicationMessage.FilePush m) {
        type = 10;
        out.writeUTF(m.path());
        out.writeInt(m.mode());
        out.writeInt(m.content().length);
        out.write(m.content());
      } else if (message instanceof ReplicationMessage.Refused m) {
        type = 11;
        out.writeUTF(m.reason());
      } else {
        throw new IllegalArgumentException("unknown message " + message);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    byte[] raw = buffer.toByteArray();
    if (raw.length > FrameCodec.MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "a "
              + message.getClass().getSimpleName()
              + " of "
              + raw.length
              + " bytes exceeds the frame limit of "
              + FrameCodec.MAX_PAYLOAD);
    }
    boolean carriesChanges = type == 2 || type == 6 || type == 9;
    if (compression && carriesChanges && raw.length > COMPRESS_ABOVE) {
      byte[] packed = Zstd.compress(raw, 3);
      if (packed.length < raw.length) {
        byte[] framed = new byte[packed.length + 4];
        java.nio.ByteBuffer.wrap(framed).putInt(raw.length).put(packed);
        return new Encoded(new Frame(type, Frame.COMPRESSED, framed), raw.length);
      }
    }
    return new Encoded(new Frame(type, (byte) 0, raw), raw.length);
  }

  public ReplicationMessage decode(Frame frame) throws WireFormatException {
    byte[] raw = frame.compressed() ? decompress(frame.payload()) : frame.payload();
    ChangeWire.Input input = new ChangeWire.Input(raw);
    DataInputStream in = new DataInputStream(input);
    try {
      ReplicationMessage message =
          switch (frame.type()) {
            case 1 ->
                new ReplicationMessage.Follow(
                    new LogPoint(string(in), in.readLong(), nonNegative(in.readLong())),
                    in.readLong());
            case 2 -> new ReplicationMessage.Batch(in.readLong(), ChangeWire.read(input));
            case 3 -> new ReplicationMessage.Position(in.readLong(), in.readLong(), in.readLong());
            case 4 -> new ReplicationMessage.Ack(nonNegative(in.readLong()), in.readLong());
            case 5 ->
                new ReplicationMessage.SnapshotBegin(
                    in.readLong(),
                    new SnapshotHeader(
                        string(in),
                        nonNegative(in.readLong()),
                        in.readLong(),
                        nonNegative(in.readLong())));
            case 6 -> new ReplicationMessage.SnapshotChunk(ChangeWire.read(input));
            case 7 -> new ReplicationMessage.SnapshotEnd(in.readLong());
            case 8 -> new ReplicationMessage.Diverged(nonNegative(in.readLong()));
            case 9 -> {
              boolean last = in.readBoolean();
              yield new ReplicationMessage.Divergent(ChangeWire.read(input), last);
            }
            case 10 -> {
              String path = string(in);
              int mode = in.readInt();
              yield new ReplicationMessage.FilePush(path, mode, bytes(in, in.readInt()));
            }
            case 11 -> new ReplicationMessage.Refused(string(in));
            default -> throw new WireFormatException("unknown message type " + frame.type());
          };
      if (in.available() != 0) {
        throw new WireFormatException(
            "message type " + frame.type() + " has " + in.available() + " trailing bytes");
      }
      return message;
    } catch (EOFException e) {
      throw new WireFormatException("message type " + frame.type() + " is truncated");
    } catch (IOException e) {
      throw new WireFormatException(
          "message type " + frame.type() + " is malformed: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new WireFormatException(
          "message type " + frame.type() + " has an invalid field: " + e.getMessage());
    }
  }

  private static byte[] decompress(byte[] payload) throws WireFormatException {
    if (payload.length < 4) {
      throw new WireFormatException("compressed payload too short");
    }
    int rawLength = java.nio.ByteBuffer.wrap(payload).getInt();
    if (rawLength < 0 || rawLength > 4 * FrameCodec.MAX_PAYLOAD) {
      throw new WireFormatException("compressed payload claims " + rawLength + " bytes");
    }
    byte[] raw = new byte[rawLength];
    long n;
    try {
      n = Zstd.decompressByteArray(raw, 0, rawLength, payload, 4, payload.length - 4);
    } catch (RuntimeException e) {
      throw new WireFormatException("compressed payload is corrupt: " + e.getMessage());
    }
    if (n != rawLength) {
      throw new WireFormatException(
          "compressed payload decompressed to " + n + " bytes, expected " + rawLength);
    }
    return raw;
  }

  /** About the encoded size of {@code message}, so its buffer rarely grows and is never huge. */
  private static int estimate(ReplicationMessage message) {
    List<Change> changes =
        message instanceof ReplicationMessage.Batch b
            ? b.changes()
            : message instanceof ReplicationMessage.SnapshotChunk s
                ? s.rows()
                : message instanceof ReplicationMessage.Divergent d ? d.changes() : List.of();
    long bytes = 64;
    for (Change c : changes) {
      bytes +=
          56
              + c.bucket().length()
              + c.key().length()
              + c.origin().length()
              + (c.value() == null ? 0 : c.value().length);
    }
    return (int) Math.min(bytes, FrameCodec.MAX_PAYLOAD + 1L);
  }

  private static String string(DataInputStream in) throws IOException, WireFormatException {
    String s = in.readUTF();
    if (s.length() > MAX_STRING) {
      throw new WireFormatException("string too long");
    }
    return s;
  }

  private static byte[] bytes(DataInputStream in, int length)
      throws IOException, WireFormatException {
    if (length < 0 || length > in.available()) {
      throw new WireFormatException("byte field length " + length + " out of range");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }

  private static long nonNegative(long value) throws WireFormatException {
    if (value < 0) {
      throw new WireFormatException("negative position, version or time: " + value);
    }
    return value;
  }
}
