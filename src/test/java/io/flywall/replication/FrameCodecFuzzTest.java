package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.state.Change;
import io.flywall.state.Hlc;
import io.flywall.state.LogPoint;
import io.flywall.state.SnapshotHeader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Section 9: the frame and message decoders are fuzzed. Random bytes never crash them and never
 * pass as valid; a valid frame with any byte flipped or cut short is rejected.
 */
class FrameCodecFuzzTest {
  private static final byte[] KEY = new byte[32];

  private static List<ReplicationMessage> samples() {
    Change put =
        new Change(
            7,
            2,
            "dhcp_leases",
            "aa:bb:cc",
            "10.0.0.7".getBytes(),
            3,
            Hlc.of(1_700_000_000_000L, 4),
            "fw-a",
            0);
    Change delete =
        new Change(8, 2, "dns", "host", null, 4, Hlc.of(1_700_000_000_001L, 0), "fw-a", 99);
    List<Change> many = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add(
          new Change(
              i + 1,
              1,
              "learning",
              "mac-" + i,
              ("port" + i).getBytes(),
              1,
              Hlc.of(1_000 + i, 0),
              "fw-b",
              0));
    }
    return List.of(
        new ReplicationMessage.Follow(new LogPoint("fw-a-1", 2, 10), 3),
        new ReplicationMessage.Batch(2, List.of(put, delete)),
        new ReplicationMessage.Batch(1, many),
        new ReplicationMessage.Position(2, 10, -5),
        new ReplicationMessage.Ack(10, 77),
        new ReplicationMessage.SnapshotBegin(2, new SnapshotHeader("h", 10, 2, 3)),
        new ReplicationMessage.SnapshotChunk(many),
        new ReplicationMessage.SnapshotEnd(42),
        new ReplicationMessage.Diverged(5),
        new ReplicationMessage.Divergent(List.of(put), true),
        new ReplicationMessage.FilePush("/etc/x.conf", 0640, "a=b".getBytes()),
        new ReplicationMessage.Refused("stale"));
  }

  @Property(tries = 20)
  void everyMessageRoundTripsThroughFramesWithAndWithoutCompression(@ForAll boolean compression)
      throws Exception {
    MessageCodec codec = new MessageCodec(compression);
    FrameCodec sender = new FrameCodec(KEY, true);
    FrameCodec receiver = new FrameCodec(KEY, false);
    for (ReplicationMessage message : samples()) {
      byte[] wire = sender.encode(codec.encode(message).frame());
      assertThat(codec.decode(receiver.decode(wire))).usingRecursiveComparison().isEqualTo(message);
    }
  }

  @Property(tries = 2000)
  void randomBytesNeverCrashTheFrameDecoderAndNeverPass(@ForAll @Size(max = 300) byte[] noise) {
    FrameCodec receiver = new FrameCodec(KEY, false);
    assertThatThrownBy(() -> receiver.decode(noise)).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> receiver.read(new ByteArrayInputStream(noise)))
        .isInstanceOfAny(WireFormatException.class, java.io.EOFException.class);
  }

  @Property(tries = 2000)
  void randomPayloadsNeverCrashTheMessageDecoder(
      @ForAll("types") byte type,
      @ForAll boolean compressed,
      @ForAll @Size(max = 200) byte[] payload) {
    MessageCodec codec = new MessageCodec(true);
    try {
      codec.decode(new Frame(type, compressed ? Frame.COMPRESSED : 0, payload));
    } catch (WireFormatException expected) {
      // Rejected with a typed error: fine. Anything else escapes and fails the property.
    }
  }

  @Provide
  Arbitrary<Byte> types() {
    return Arbitraries.bytes().between((byte) 0, (byte) 12);
  }

  @Property(tries = 500)
  void aValidFrameWithAnyByteFlippedIsRejected(
      @ForAll @IntRange(min = 0, max = 11) int which,
      @ForAll @IntRange(min = 0, max = 100_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int flip) {
    ReplicationMessage message = samples().get(which);
    byte[] wire = new FrameCodec(KEY, true).encode(new MessageCodec(true).encode(message).frame());
    wire[position % wire.length] ^= (byte) flip;
    assertThatThrownBy(() -> new FrameCodec(KEY, false).decode(wire))
        .isInstanceOf(WireFormatException.class);
  }

  @Property(tries = 300)
  void aTruncatedFrameIsRejected(
      @ForAll @IntRange(min = 0, max = 11) int which, @ForAll @IntRange(min = 1) int cut) {
    byte[] wire =
        new FrameCodec(KEY, true)
            .encode(new MessageCodec(false).encode(samples().get(which)).frame());
    byte[] truncated = java.util.Arrays.copyOf(wire, (cut % wire.length));
    assertThatThrownBy(() -> new FrameCodec(KEY, false).read(new ByteArrayInputStream(truncated)))
        .isInstanceOfAny(WireFormatException.class, java.io.EOFException.class);
  }

  @Property(tries = 50)
  void aReplayedOrReflectedFrameIsRejected(@ForAll @IntRange(min = 0, max = 11) int which)
      throws Exception {
    Frame frame = new MessageCodec(false).encode(samples().get(which)).frame();
    FrameCodec sender = new FrameCodec(KEY, true);
    FrameCodec receiver = new FrameCodec(KEY, false);
    byte[] wire = sender.encode(frame);
    receiver.decode(wire);
    assertThatThrownBy(() -> receiver.decode(wire)).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> new FrameCodec(KEY, true).decode(wire))
        .isInstanceOf(WireFormatException.class);
  }

  @Property(tries = 20)
  void aFrameUnderAnotherSessionKeyIsRejected(@ForAll long seed) {
    byte[] other = new byte[32];
    new Random(seed).nextBytes(other);
    other[0] |= 1;
    byte[] wire =
        new FrameCodec(other, true)
            .encode(new MessageCodec(false).encode(samples().get(0)).frame());
    assertThatThrownBy(() -> new FrameCodec(KEY, false).decode(wire))
        .isInstanceOf(WireFormatException.class);
  }
}
