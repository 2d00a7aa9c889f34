package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class HeartbeatCodecTest {

  private static final HeartbeatCodec codec =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("pair secret 0123456789"));

  private Heartbeat decoded(byte[] datagram) {
    DecodeResult result = codec.decode(datagram, datagram.length);
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).heartbeat();
  }

  private DecodeResult.Rejected rejected(byte[] datagram, int length) {
    DecodeResult result = codec.decode(datagram, length);
    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    return (DecodeResult.Rejected) result;
  }

  @Test
  void everyFieldSurvivesARoundTrip() {
    NodeStatus status =
        new NodeStatus(
            Long.MAX_VALUE,
            Heartbeat.Role.BACKUP,
            1000,
            EnumSet.allOf(Heartbeat.Flag.class),
            "[fd00::1]:9001",
            9_876_543_210L,
            new Heartbeat.QuorumView(255, "nœud-primaire"),
            42);
    Heartbeat heartbeat =
        new Heartbeat(
            "node-β",
            Long.MAX_VALUE,
            1L << 40,
            1_764_150_123_456L,
            status,
            new Heartbeat.Echo(1_764_150_123_000L, 7),
            HeartbeatCommand.NONE);

    assertThat(decoded(codec.encode(heartbeat))).isEqualTo(heartbeat);
  }

  @Test
  void minimalValuesSurviveARoundTrip() {
    NodeStatus status =
        new NodeStatus(
            0,
            Heartbeat.Role.INIT,
            0,
            EnumSet.noneOf(Heartbeat.Flag.class),
            "",
            0,
            Heartbeat.QuorumView.NONE);
    Heartbeat heartbeat =
        new Heartbeat("n", 0, 0, 0, status, Heartbeat.Echo.NONE, HeartbeatCommand.NONE);

    assertThat(decoded(codec.encode(heartbeat))).isEqualTo(heartbeat);
  }

  @Test
  void everyRoleSurvivesARoundTrip() {
    for (Heartbeat.Role role : Heartbeat.Role.values()) {
      NodeStatus status =
          new NodeStatus(
              1, role, 50, EnumSet.of(Heartbeat.Flag.HEALTHY), "", 0, Heartbeat.QuorumView.NONE);
      Heartbeat heartbeat =
          new Heartbeat("node1", 1, 1, 1, status, Heartbeat.Echo.NONE, HeartbeatCommand.NONE);
      assertThat(decoded(codec.encode(heartbeat)).status().role()).isEqualTo(role);
    }
  }

  @Test
  void everyFlagIsCarriedOnItsOwn() {
    for (Heartbeat.Flag flag : Heartbeat.Flag.values()) {
      NodeStatus status =
          new NodeStatus(
              1, Heartbeat.Role.BACKUP, 50, EnumSet.of(flag), "", 0, Heartbeat.QuorumView.NONE);
      Heartbeat heartbeat =
          new Heartbeat("node1", 1, 1, 1, status, Heartbeat.Echo.NONE, HeartbeatCommand.NONE);
      assertThat(decoded(codec.encode(heartbeat)).status().flags()).containsExactly(flag);
    }
  }

  @Test
  void everyCommandSurvivesARoundTrip() {
    Heartbeat base = Heartbeats.from("node1", Heartbeats.BOOT, 42, Heartbeats.BOOT + 5_000);
    for (HeartbeatCommand command :
        new HeartbeatCommand[] {
          HeartbeatCommand.NONE,
          HeartbeatCommand.RELEASE,
          new HeartbeatCommand.Handover("node2", 4),
          new HeartbeatCommand.Standby("node3", true, 1_764_468_000_000L),
          new HeartbeatCommand.Standby("node3", false, 0)
        }) {
      Heartbeat heartbeat = Heartbeats.withCommand(base, command);
      assertThat(decoded(codec.encode(heartbeat))).isEqualTo(heartbeat);
    }
  }

  @Test
  void aTypicalHeartbeatIsWellUnder150Bytes() {
    Heartbeat heartbeat =
        Heartbeats.withEcho(
            Heartbeats.from("node1", Heartbeats.BOOT, 86_400, Heartbeats.BOOT + 86_400_000),
            new Heartbeat.Echo(Heartbeats.BOOT + 86_399_990, 3));

    assertThat(codec.encode(heartbeat)).hasSizeLessThan(100);
    assertThat(
            codec.encode(
                Heartbeats.withCommand(heartbeat, new HeartbeatCommand.Handover("node2", 4))))
        .hasSizeLessThan(110);
  }

  @Test
  void theLargestPossibleHeartbeatStillFitsTheDatagramLimit() {
    String longId = "x".repeat(Heartbeat.MAX_NODE_ID_BYTES);
    NodeStatus status =
        new NodeStatus(
            Long.MAX_VALUE,
            Heartbeat.Role.WITNESS,
            Short.MAX_VALUE,
            EnumSet.allOf(Heartbeat.Flag.class),
            "a".repeat(NodeStatus.MAX_REPLICATION_ADDRESS_BYTES),
            Long.MAX_VALUE,
            new Heartbeat.QuorumView(255, longId));
    Heartbeat heartbeat =
        new Heartbeat(
            longId,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            Long.MAX_VALUE,
            status,
            new Heartbeat.Echo(Long.MAX_VALUE, Long.MAX_VALUE),
            new HeartbeatCommand.Handover(longId, Long.MAX_VALUE));
    // The longest command: a standby request carries one byte more than a handover.
    Heartbeat withStandby =
        Heartbeats.withCommand(
            heartbeat, new HeartbeatCommand.Standby(longId, true, Long.MAX_VALUE));

    byte[] datagram = codec.encode(heartbeat);
    byte[] standbyDatagram = codec.encode(withStandby);

    assertThat(datagram).hasSizeLessThanOrEqualTo(HeartbeatCodec.MAX_DATAGRAM_BYTES);
    assertThat(decoded(datagram)).isEqualTo(heartbeat);
    assertThat(standbyDatagram).hasSizeLessThanOrEqualTo(HeartbeatCodec.MAX_DATAGRAM_BYTES);
    assertThat(decoded(standbyDatagram)).isEqualTo(withStandby);
  }

  @Test
  void aDatagramMacedWithAnotherSecretIsForged() {
    HeartbeatCodec stranger = HeartbeatCodec.withKeys(ClusterKeys.fromSecret("some other secret"));
    byte[] datagram = stranger.encode(Heartbeats.from("node2", 1, 1, 1));

    assertThat(rejected(datagram, datagram.length).reason()).isEqualTo(RejectReason.FORGED);
  }

  @Test
  void aTamperedFieldIsForged() {
    byte[] datagram = codec.encode(Heartbeats.from("node2", 1, 1, 1));
    datagram[4] ^= 1;

    assertThat(rejected(datagram, datagram.length).reason()).isEqualTo(RejectReason.FORGED);
  }

  @Test
  void anotherVersionIsRefusedAsBadVersion() {
    byte[] datagram = codec.encode(Heartbeats.from("node2", 1, 1, 1));
    datagram[2] = 2;

    DecodeResult.Rejected result = rejected(datagram, datagram.length);

    assertThat(result.reason()).isEqualTo(RejectReason.BAD_VERSION);
    assertThat(result.detail()).contains("version 2");
  }

  @Test
  void aDatagramLongerThan512BytesIsOversized() {
    byte[] datagram = Arrays.copyOf(codec.encode(Heartbeats.from("node2", 1, 1, 1)), 513);

    assertThat(rejected(datagram, 513).reason()).isEqualTo(RejectReason.OVERSIZED);
  }

  @Test
  void somethingElseThanAHeartbeatIsMalformed() {
    byte[] dns = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00};

    assertThat(rejected(dns, dns.length).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejected(new byte[0], 0).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejected(null, 0).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejected(new byte[4], 5).reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(rejected(new byte[4], -1).reason()).isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void anAuthenticDatagramWithAnUnknownRoleIsMalformed() {
    byte[] body =
        new WireWriter()
            .u8('F')
            .u8('W')
            .u8(1)
            .string("node2")
            .varint(1)
            .varint(1)
            .varint(1)
            .varint(1)
            .u8(9)
            .toByteArray();

    DecodeResult.Rejected result =
        rejected(codec.seal(body), body.length + HeartbeatCodec.MAC_BYTES);

    assertThat(result.reason()).isEqualTo(RejectReason.MALFORMED);
    assertThat(result.detail()).contains("role");
  }

  @Test
  void anAuthenticDatagramWithTrailingBytesIsMalformed() {
    byte[] datagram = codec.encode(Heartbeats.from("node2", 1, 1, 1));
    byte[] body =
        Arrays.copyOf(
            Arrays.copyOf(datagram, datagram.length - HeartbeatCodec.MAC_BYTES),
            datagram.length - HeartbeatCodec.MAC_BYTES + 1);

    assertThat(rejected(codec.seal(body), body.length + HeartbeatCodec.MAC_BYTES).reason())
        .isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void anOverlongVarintIsMalformedEvenWhenAuthentic() {
    byte[] body =
        new WireWriter()
            .u8('F')
            .u8('W')
            .u8(1)
            .string("node2")
            .bytes(new byte[] {(byte) 0x81, 0x00})
            .toByteArray();

    DecodeResult.Rejected result =
        rejected(codec.seal(body), body.length + HeartbeatCodec.MAC_BYTES);

    assertThat(result.detail()).contains("boot_id").contains("minimally");
  }

  @Test
  void anEmptyNodeIdIsMalformedEvenWhenAuthentic() {
    byte[] good = codec.encode(Heartbeats.from("n", 1, 1, 1));
    byte[] body = Arrays.copyOf(good, good.length - HeartbeatCodec.MAC_BYTES);
    byte[] withoutId = new byte[body.length - 1];
    System.arraycopy(body, 0, withoutId, 0, 3);
    withoutId[3] = 0;
    System.arraycopy(body, 5, withoutId, 4, body.length - 5);

    assertThat(
            rejected(codec.seal(withoutId), withoutId.length + HeartbeatCodec.MAC_BYTES).reason())
        .isEqualTo(RejectReason.MALFORMED);
  }

  @Test
  void decodingReadsOnlyTheGivenLength() {
    byte[] datagram = codec.encode(Heartbeats.from("node2", 1, 1, 1));
    byte[] buffer = Arrays.copyOf(datagram, 513);
    buffer[datagram.length] = 0x7F;

    assertThat(codec.decode(buffer, datagram.length)).isInstanceOf(DecodeResult.Accepted.class);
  }

  @Test
  void valuesThatCannotBeEncodedAreRefusedWhenBuilt() {
    assertThatThrownBy(() -> Heartbeats.from("", 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Heartbeats.from("y".repeat(65), 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Heartbeats.from("node1", -1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new NodeStatus(
                    1,
                    Heartbeat.Role.PRIMARY,
                    40_000,
                    EnumSet.noneOf(Heartbeat.Flag.class),
                    "",
                    0,
                    Heartbeat.QuorumView.NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Heartbeat.QuorumView(256, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
