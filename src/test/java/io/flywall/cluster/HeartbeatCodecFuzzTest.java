package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The decoder against hostile input. jqwik prints the seed of a failing run; re-run it with
 * {@code @Property(seed = "...")}.
 */
class HeartbeatCodecFuzzTest {

  private static final HeartbeatCodec codec =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("fuzzing secret 0123"));
  private static final HeartbeatCodec stranger =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("another secret 4567"));

  @Property(tries = 2000)
  void randomBytesNeverCrashTheDecoderAndNeverPassAsValid(@ForAll @Size(max = 600) byte[] bytes) {
    assertThat(codec.decode(bytes, bytes.length)).isInstanceOf(DecodeResult.Rejected.class);
  }

  @Property(tries = 2000)
  void randomBytesBehindAValidHeaderAreRejected(@ForAll @Size(max = 520) byte[] tail) {
    byte[] datagram = new byte[3 + tail.length];
    datagram[0] = 'F';
    datagram[1] = 'W';
    datagram[2] = 1;
    System.arraycopy(tail, 0, datagram, 3, tail.length);

    assertThat(codec.decode(datagram, datagram.length)).isInstanceOf(DecodeResult.Rejected.class);
  }

  @Property(tries = 500)
  void anyHeartbeatSurvivesARoundTrip(@ForAll("heartbeats") Heartbeat heartbeat) {
    byte[] datagram = codec.encode(heartbeat);

    assertThat(datagram.length).isLessThanOrEqualTo(HeartbeatCodec.MAX_DATAGRAM_BYTES);
    assertThat(codec.decode(datagram, datagram.length))
        .isEqualTo(new DecodeResult.Accepted(heartbeat));
  }

  @Property(tries = 150)
  void everySingleBitFlipOfAValidDatagramIsRejected(@ForAll("heartbeats") Heartbeat heartbeat) {
    byte[] datagram = codec.encode(heartbeat);
    for (int bit = 0; bit < datagram.length * 8; bit++) {
      byte[] flipped = datagram.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(codec.decode(flipped, flipped.length))
          .as("bit %d of %d", bit, datagram.length * 8)
          .isInstanceOf(DecodeResult.Rejected.class);
    }
  }

  @Property(tries = 200)
  void everyTruncationOfAValidDatagramIsRejected(@ForAll("heartbeats") Heartbeat heartbeat) {
    byte[] datagram = codec.encode(heartbeat);
    for (int length = 0; length < datagram.length; length++) {
      byte[] truncated = Arrays.copyOf(datagram, length);
      assertThat(codec.decode(truncated, length))
          .as("first %d bytes", length)
          .isInstanceOf(DecodeResult.Rejected.class);
      assertThat(codec.decode(datagram, length))
          .as("length %d of the full buffer", length)
          .isInstanceOf(DecodeResult.Rejected.class);
    }
  }

  @Property(tries = 300)
  void aDatagramMacedWithAnotherSecretIsForged(@ForAll("heartbeats") Heartbeat heartbeat) {
    byte[] datagram = stranger.encode(heartbeat);

    DecodeResult result = codec.decode(datagram, datagram.length);

    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(((DecodeResult.Rejected) result).reason()).isEqualTo(RejectReason.FORGED);
  }

  /** Reaches the field parser: authentic (correctly MACed) but corrupted bodies. */
  @Property(tries = 3000)
  void corruptedBodiesWithAValidMacNeverCrashTheParser(
      @ForAll("heartbeats") Heartbeat heartbeat,
      @ForAll @Size(min = 1, max = 6) int[] positions,
      @ForAll @Size(min = 6, max = 6) byte[] values,
      @ForAll @IntRange(min = -8, max = 8) int lengthChange) {
    byte[] datagram = codec.encode(heartbeat);
    byte[] body =
        Arrays.copyOf(
            datagram, Math.max(3, datagram.length - HeartbeatCodec.MAC_BYTES + lengthChange));
    for (int i = 0; i < positions.length; i++) {
      int position = 3 + Math.floorMod(positions[i], body.length - 2);
      if (position < body.length) {
        body[position] = values[i];
      }
    }
    byte[] sealed = codec.seal(body);

    DecodeResult result = codec.decode(sealed, sealed.length);

    Statistics.label("outcome")
        .collect(result instanceof DecodeResult.Accepted ? "accepted" : "malformed");
    if (result instanceof DecodeResult.Accepted accepted) {
      // What passes must be a real heartbeat that encodes back to a datagram we accept.
      byte[] again = codec.encode(accepted.heartbeat());
      assertThat(codec.decode(again, again.length)).isEqualTo(result);
    } else {
      assertThat(((DecodeResult.Rejected) result).reason()).isEqualTo(RejectReason.MALFORMED);
    }
    // Guards the guard: both outcomes must actually occur, or this property tests nothing.
    Statistics.label("outcome")
        .coverage(
            coverage -> {
              coverage.check("malformed").percentage(percent -> percent > 20);
              coverage.check("accepted").percentage(percent -> percent > 0.2);
            });
  }

  @Provide
  Arbitrary<Heartbeat> heartbeats() {
    Arbitrary<String> nodeIds =
        Arbitraries.strings()
            .alpha()
            .numeric()
            .withChars('-', '_', '.', 'é', '€', '节')
            .ofMinLength(1)
            .ofMaxLength(16);
    Arbitrary<Long> longs = Arbitraries.longs().between(0, Long.MAX_VALUE);
    Arbitrary<Heartbeat.QuorumView> quorum =
        Combinators.combine(
                Arbitraries.integers().between(0, 255),
                Arbitraries.oneOf(Arbitraries.just(""), nodeIds))
            .as(Heartbeat.QuorumView::new);
    Arbitrary<NodeStatus> status =
        Combinators.combine(
                longs,
                Arbitraries.of(Heartbeat.Role.class),
                Arbitraries.integers().between(0, Short.MAX_VALUE),
                Arbitraries.of(Heartbeat.Flag.class).set(),
                Arbitraries.strings().ascii().ofMaxLength(NodeStatus.MAX_REPLICATION_ADDRESS_BYTES),
                longs,
                quorum)
            .as(NodeStatus::new);
    Arbitrary<Heartbeat.Echo> echo = Combinators.combine(longs, longs).as(Heartbeat.Echo::new);
    Arbitrary<HeartbeatCommand> command =
        Arbitraries.oneOf(
            Arbitraries.just(HeartbeatCommand.NONE),
            Arbitraries.just(HeartbeatCommand.RELEASE),
            Combinators.combine(nodeIds, longs).as(HeartbeatCommand.Handover::new),
            Combinators.combine(nodeIds, Arbitraries.of(true, false), longs)
                .as(HeartbeatCommand.Standby::new));
    return Combinators.combine(nodeIds, longs, longs, longs, status, echo, command)
        .as(Heartbeat::new);
  }
}
