package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeartbeatReceiverTest {

  private static final InetSocketAddress NODE2 = new InetSocketAddress("10.0.0.2", 9002);
  private static final InetSocketAddress NODE3 = new InetSocketAddress("10.0.0.3", 9002);
  private static final InetSocketAddress WITNESS = new InetSocketAddress("10.0.0.9", 9002);
  private static final HeartbeatCodec WITNESS_CODEC =
      new HeartbeatCodec(ClusterKeys.fromSecret("receiver secret 0123").witnessKey());
  private static final Instant START = Instant.ofEpochMilli(Heartbeats.BOOT + 60_000);

  private final MutableClock clock = new MutableClock(START);
  private static final HeartbeatCodec ATTACKER =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("attacker secret"));
  private static final HeartbeatCodec codec =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("receiver secret 0123"));
  private final List<String> logLines = new ArrayList<>();
  private final HeartbeatReceiver receiver =
      new HeartbeatReceiver(
          "node1",
          HeartbeatPeers.nodes(Set.of(NODE2, NODE3), codec),
          clock,
          HeartbeatReceiver.DEFAULT_MAX_SKEW,
          new RejectionLog(clock, Duration.ofSeconds(10), logLines::add));

  private Reception receive(Heartbeat heartbeat, InetSocketAddress source) {
    byte[] datagram = codec.encode(heartbeat);
    return receiver.receive(datagram, datagram.length, source);
  }

  private Reception receive(Heartbeat heartbeat) {
    return receive(heartbeat, NODE2);
  }

  private static Heartbeat node2(long bootId, long sequence, long sendTimeMillis) {
    return Heartbeats.from("node2", bootId, sequence, sendTimeMillis);
  }

  private long now() {
    return clock.millis();
  }

  private static RejectReason reasonOf(Reception reception) {
    assertThat(reception).isInstanceOf(Reception.Rejected.class);
    return ((Reception.Rejected) reception).reason();
  }

  @Test
  void aFreshHeartbeatFromAConfiguredPeerIsAccepted() {
    Heartbeat heartbeat = node2(Heartbeats.BOOT, 1, now());

    Reception reception = receive(heartbeat);

    assertThat(reception).isInstanceOf(Reception.Accepted.class);
    ReceivedHeartbeat received = ((Reception.Accepted) reception).received();
    assertThat(received.heartbeat()).isEqualTo(heartbeat);
    assertThat(received.source()).isEqualTo(NODE2);
    assertThat(received.receivedAt()).isEqualTo(START);
    assertThat(receiver.acceptedTotal()).isEqualTo(1);
  }

  @Test
  void theSameSequenceAgainIsAReplay() {
    receive(node2(Heartbeats.BOOT, 5, now()));

    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 5, now()))))
        .isEqualTo(RejectReason.REPLAYED);
  }

  @Test
  void aLowerSequenceIsAReplay() {
    receive(node2(Heartbeats.BOOT, 5, now()));

    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 4, now()))))
        .isEqualTo(RejectReason.REPLAYED);
  }

  @Test
  void aLowerBootIdIsAReplayWhateverItsSequence() {
    receive(node2(Heartbeats.BOOT, 5, now()));

    assertThat(reasonOf(receive(node2(Heartbeats.BOOT - 1, 1_000_000, now()))))
        .isEqualTo(RejectReason.REPLAYED);
  }

  @Test
  void aRestartedPeerWithAHigherBootIdIsAcceptedThoughItsSequenceStartsOver() {
    receive(node2(Heartbeats.BOOT, 5_000, now()));

    assertThat(receive(node2(Heartbeats.BOOT + 1, 1, now())))
        .isInstanceOf(Reception.Accepted.class);
    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 5_001, now()))))
        .isEqualTo(RejectReason.REPLAYED);
  }

  @Test
  void aHigherSequenceWithinTheSameBootIsAccepted() {
    receive(node2(Heartbeats.BOOT, 5, now()));

    assertThat(receive(node2(Heartbeats.BOOT, 7, now()))).isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void replayProtectionIsPerNode() {
    receive(node2(Heartbeats.BOOT, 5, now()));

    assertThat(receive(Heartbeats.from("node3", Heartbeats.BOOT, 5, now()), NODE3))
        .isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void theFirstHeartbeatOfAnUnseenPeerMustBeWithinTheSkewBound() {
    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 1, now() - 30_001))))
        .isEqualTo(RejectReason.CLOCK_SKEW);
    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 2, now() + 30_001))))
        .isEqualTo(RejectReason.CLOCK_SKEW);
    assertThat(receiver.peers().get("node2")).isEmpty();

    assertThat(receive(node2(Heartbeats.BOOT, 3, now() - 30_000)))
        .isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void everyDatagramMustBeWithinTheSkewBoundSoOldCapturesCannotBeDribbledIn() {
    // Captures of node2 taken while it was alive, one per second...
    List<Heartbeat> captured = new ArrayList<>();
    for (int seq = 1; seq <= 20; seq++) {
      captured.add(node2(Heartbeats.BOOT, seq, now() + (seq - 1) * 1_000L));
    }
    clock.advance(Duration.ofSeconds(20));
    // ...fed in one every 4 s after it died: each is newer than the last, but ever older.
    List<RejectReason> verdicts = new ArrayList<>();
    for (Heartbeat capture : captured) {
      Reception reception = receive(capture);
      verdicts.add(reception instanceof Reception.Rejected r ? r.reason() : (RejectReason) null);
      clock.advance(Duration.ofSeconds(4));
    }

    // Accepted only while within 30 s of this clock; never again once outside it.
    int firstRejected = verdicts.indexOf(RejectReason.CLOCK_SKEW);
    assertThat(firstRejected).isBetween(1, 10);
    assertThat(verdicts.subList(firstRejected, verdicts.size()))
        .containsOnly(RejectReason.CLOCK_SKEW);
  }

  @Test
  void aKnownPeerWhoseClockStepsAwayIsRejected() {
    receive(node2(Heartbeats.BOOT, 1, now()));
    clock.advance(Duration.ofMinutes(5));

    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 2, now() - 120_000))))
        .isEqualTo(RejectReason.CLOCK_SKEW);
    assertThat(receive(node2(Heartbeats.BOOT, 3, now() - 29_000)))
        .isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void repeatedClockSkewRejectionsFromAPeerRaiseTheAlarmUntilItIsHeardAgain() {
    receive(node2(Heartbeats.BOOT, 1, now()));
    receive(node2(Heartbeats.BOOT, 2, now() + 45_000));
    receive(node2(Heartbeats.BOOT, 3, now() + 45_000));
    assertThat(receiver.clockSkewAlarm()).as("two could be stray late datagrams").isEmpty();

    receive(node2(Heartbeats.BOOT, 4, now() + 45_000));

    assertThat(receiver.clockSkewAlarm())
        .hasValueSatisfying(
            detail -> assertThat(detail).contains("node2", "45.0 s ahead of", "3 in a row", "NTP"));
    receive(node2(Heartbeats.BOOT, 5, now()));
    assertThat(receiver.clockSkewAlarm()).isEmpty();
  }

  @Test
  void theClockSkewAlarmClearsAfterAMinuteWithoutSkewedHeartbeats() {
    for (int seq = 1; seq <= 3; seq++) {
      receive(node2(Heartbeats.BOOT, seq, now() - 90_000));
    }
    assertThat(receiver.clockSkewAlarm()).isPresent();

    clock.advance(Duration.ofSeconds(61));

    assertThat(receiver.clockSkewAlarm()).isEmpty();
  }

  @Test
  void anAddressSpeaksForTheNodeIdFirstHeardFromIt() {
    receive(node2(Heartbeats.BOOT, 1, now()), NODE2);

    Reception other = receive(Heartbeats.from("node7", Heartbeats.BOOT, 2, now()), NODE2);

    assertThat(reasonOf(other)).isEqualTo(RejectReason.WRONG_ADDRESS);
    assertThat(((Reception.Rejected) other).detail()).contains("10.0.0.2:9002", "node2", "node7");
    assertThat(receiver.peers().get("node7")).isEmpty();
  }

  @Test
  void aNodeIdHeardFromOneAddressIsRejectedFromAnother() {
    receive(node2(Heartbeats.BOOT, 1, now()), NODE2);

    assertThat(reasonOf(receive(node2(Heartbeats.BOOT, 2, now()), NODE3)))
        .isEqualTo(RejectReason.WRONG_ADDRESS);
    assertThat(receiver.peers().get("node2").orElseThrow().address()).isEqualTo(NODE2);
    assertThat(receive(node2(Heartbeats.BOOT, 3, now()), NODE2))
        .isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void onlyAnAcceptedHeartbeatBindsAnIdToAnAddress() {
    // A skewed and a forged datagram claiming other ids bind nothing to node3's address.
    receive(Heartbeats.from("node8", Heartbeats.BOOT, 1, now() + 60_000), NODE3);
    byte[] forged = ATTACKER.encode(Heartbeats.from("node7", Heartbeats.BOOT, 1, now()));
    receiver.receive(forged, forged.length, NODE3);

    assertThat(receive(Heartbeats.from("node3", Heartbeats.BOOT, 2, now()), NODE3))
        .isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void theWitnessAddressTakesOnlyWitnessKeyDatagramsAndNodeAddressesOnlyNodeKeyOnes() {
    HeartbeatReceiver withWitness = receiverWithWitness();
    Heartbeat witnessBeat = Heartbeats.witness("witness", Heartbeats.BOOT, 1, now());

    byte[] underNodeKey = codec.encode(witnessBeat);
    byte[] underWitnessKey = WITNESS_CODEC.encode(witnessBeat);
    assertThat(reasonOf(withWitness.receive(underNodeKey, underNodeKey.length, WITNESS)))
        .isEqualTo(RejectReason.FORGED);
    assertThat(reasonOf(withWitness.receive(underWitnessKey, underWitnessKey.length, NODE2)))
        .isEqualTo(RejectReason.FORGED);
    assertThat(withWitness.receive(underWitnessKey, underWitnessKey.length, WITNESS))
        .isInstanceOf(Reception.Accepted.class);
  }

  @Test
  void theWitnessKeyCannotClaimANodeRoleOrCarryACommand() {
    HeartbeatReceiver withWitness = receiverWithWitness();
    byte[] asPrimary = WITNESS_CODEC.encode(Heartbeats.from("witness", Heartbeats.BOOT, 1, now()));
    byte[] withHandover =
        WITNESS_CODEC.encode(
            Heartbeats.withCommand(
                Heartbeats.witness("witness", Heartbeats.BOOT, 2, now()),
                new HeartbeatCommand.Handover("node1", 99)));

    assertThat(reasonOf(withWitness.receive(asPrimary, asPrimary.length, WITNESS)))
        .isEqualTo(RejectReason.WITNESS_CLAIM);
    assertThat(reasonOf(withWitness.receive(withHandover, withHandover.length, WITNESS)))
        .isEqualTo(RejectReason.WITNESS_CLAIM);
    assertThat(withWitness.peers().all()).isEmpty();
  }

  @Test
  void aNodeReclaimsItsIdFromAWitnessThatClaimedItFirst() {
    HeartbeatReceiver withWitness = receiverWithWitness();
    byte[] squat = WITNESS_CODEC.encode(Heartbeats.witness("node2", Heartbeats.BOOT, 1, now()));
    assertThat(withWitness.receive(squat, squat.length, WITNESS))
        .isInstanceOf(Reception.Accepted.class);

    byte[] real = codec.encode(node2(Heartbeats.BOOT, 1, now()));
    assertThat(withWitness.receive(real, real.length, NODE2))
        .isInstanceOf(Reception.Accepted.class);
    byte[] again = WITNESS_CODEC.encode(Heartbeats.witness("node2", Heartbeats.BOOT, 2, now()));
    assertThat(reasonOf(withWitness.receive(again, again.length, WITNESS)))
        .isEqualTo(RejectReason.WRONG_ADDRESS);
    assertThat(withWitness.peers().get("node2").orElseThrow().address()).isEqualTo(NODE2);
  }

  private HeartbeatReceiver receiverWithWitness() {
    return new HeartbeatReceiver(
        "node1",
        HeartbeatPeers.nodes(Set.of(NODE2, NODE3), codec).withWitness(WITNESS, WITNESS_CODEC),
        clock);
  }

  @Test
  void theSkewBoundIsAConstructorParameter() {
    HeartbeatReceiver strict =
        new HeartbeatReceiver("node1", Set.of(NODE2), codec, clock, Duration.ofSeconds(1));
    byte[] late = codec.encode(node2(Heartbeats.BOOT, 1, now() - 1_500));

    assertThat(reasonOf(strict.receive(late, late.length, NODE2)))
        .isEqualTo(RejectReason.CLOCK_SKEW);
  }

  @Test
  void aDatagramFromAnAddressThatIsNotAPeerIsUnknown() {
    assertThat(
            reasonOf(
                receive(node2(Heartbeats.BOOT, 1, now()), new InetSocketAddress("10.0.0.9", 9002))))
        .isEqualTo(RejectReason.UNKNOWN_NODE);
    assertThat(
            reasonOf(
                receive(node2(Heartbeats.BOOT, 2, now()), new InetSocketAddress("10.0.0.2", 9003))))
        .isEqualTo(RejectReason.UNKNOWN_NODE);
  }

  @Test
  void aDatagramClaimingThisNodesIdIsRejectedAsSelf() {
    assertThat(reasonOf(receive(Heartbeats.from("node1", Heartbeats.BOOT, 1, now()))))
        .isEqualTo(RejectReason.SELF);
  }

  @Test
  void forgedMalformedOversizedAndOtherVersionsAreRejectedWithTheirReason() {
    byte[] forged = ATTACKER.encode(node2(Heartbeats.BOOT, 1, now()));
    byte[] otherVersion = codec.encode(node2(Heartbeats.BOOT, 2, now()));
    otherVersion[2] = 7;

    assertThat(reasonOf(receiver.receive(forged, forged.length, NODE2)))
        .isEqualTo(RejectReason.FORGED);
    assertThat(reasonOf(receiver.receive(otherVersion, otherVersion.length, NODE2)))
        .isEqualTo(RejectReason.BAD_VERSION);
    assertThat(reasonOf(receiver.receive(new byte[] {1, 2, 3}, 3, NODE2)))
        .isEqualTo(RejectReason.MALFORMED);
    assertThat(reasonOf(receiver.receive(new byte[600], 600, NODE2)))
        .isEqualTo(RejectReason.OVERSIZED);
  }

  @Test
  void rejectionsAreCountedPerReason() {
    byte[] forged = ATTACKER.encode(node2(Heartbeats.BOOT, 1, now()));
    receiver.receive(forged, forged.length, NODE2);
    receiver.receive(forged, forged.length, NODE2);
    receive(node2(Heartbeats.BOOT, 1, now()));
    receive(node2(Heartbeats.BOOT, 1, now()));
    receive(node2(Heartbeats.BOOT, 2, now()), new InetSocketAddress("192.0.2.1", 9002));

    assertThat(receiver.rejections())
        .containsEntry(RejectReason.FORGED, 2L)
        .containsEntry(RejectReason.REPLAYED, 1L)
        .containsEntry(RejectReason.UNKNOWN_NODE, 1L)
        .containsEntry(RejectReason.MALFORMED, 0L)
        .hasSize(RejectReason.values().length);
    assertThat(receiver.rejectedTotal()).isEqualTo(4);
    assertThat(receiver.acceptedTotal()).isEqualTo(1);
  }

  @Test
  void rejectionsAreLoggedAtMostOncePerReasonPerTenSecondsWithTheSuppressedCount() {
    byte[] forged = ATTACKER.encode(node2(Heartbeats.BOOT, 1, now()));
    for (int i = 0; i < 5; i++) {
      receiver.receive(forged, forged.length, NODE2);
    }
    receiver.receive(new byte[] {9}, 1, NODE2);
    assertThat(logLines).hasSize(2);
    assertThat(logLines.get(0)).contains("FORGED").contains("10.0.0.2").doesNotContain("more");
    assertThat(logLines.get(1)).contains("MALFORMED");

    clock.advance(Duration.ofMillis(9_999));
    receiver.receive(forged, forged.length, NODE2);
    assertThat(logLines).hasSize(2);

    clock.advance(Duration.ofMillis(1));
    receiver.receive(forged, forged.length, NODE2);
    assertThat(logLines).hasSize(3);
    assertThat(logLines.get(2))
        .contains("FORGED")
        .contains("5 more FORGED dropped since the last report");

    clock.advance(Duration.ofSeconds(10));
    receiver.receive(forged, forged.length, NODE2);
    assertThat(logLines.get(3)).contains("FORGED").doesNotContain("more");
    assertThat(receiver.rejections()).containsEntry(RejectReason.FORGED, 8L);
  }

  @Test
  void acceptedHeartbeatsUpdateThePeerTable() {
    receive(node2(Heartbeats.BOOT, 1, now()));
    clock.advance(Duration.ofSeconds(1));
    Heartbeat second = node2(Heartbeats.BOOT, 2, now());
    receive(second);
    clock.advance(Duration.ofMillis(1_500));

    PeerStatus peer = receiver.peers().get("node2").orElseThrow();
    assertThat(peer.lastHeartbeat()).isEqualTo(second);
    assertThat(peer.lastSeen()).isEqualTo(START.plusSeconds(1));
    assertThat(peer.receivedCount()).isEqualTo(2);
    assertThat(peer.address()).isEqualTo(NODE2);
    assertThat(peer.silentFor(clock.instant())).isEqualTo(Duration.ofMillis(1_500));
    assertThat(receiver.peers().heardFrom(NODE2)).contains(peer);
    assertThat(receiver.peers().all()).containsExactly(peer);
  }

  @Test
  void rejectedHeartbeatsLeaveThePeerTableAlone() {
    receive(node2(Heartbeats.BOOT, 1, now()));
    receive(node2(Heartbeats.BOOT, 1, now()));

    assertThat(receiver.peers().get("node2").orElseThrow().receivedCount()).isEqualTo(1);
  }

  @Test
  void theEchoGivesTheRoundTripTime() {
    long mySendTime = now() - 12;
    Heartbeat echoing =
        Heartbeats.withEcho(node2(Heartbeats.BOOT, 1, now()), new Heartbeat.Echo(mySendTime, 5));

    Reception reception = receive(echoing);

    assertThat(((Reception.Accepted) reception).received().rtt()).contains(Duration.ofMillis(7));
    assertThat(receiver.peers().get("node2").orElseThrow().rtt()).contains(Duration.ofMillis(7));
  }

  @Test
  void aHeartbeatWithoutEchoKeepsTheLastRoundTripTime() {
    receive(
        Heartbeats.withEcho(node2(Heartbeats.BOOT, 1, now()), new Heartbeat.Echo(now() - 4, 1)));
    Reception plain = receive(node2(Heartbeats.BOOT, 2, now()));

    assertThat(((Reception.Accepted) plain).received().rtt()).isEmpty();
    assertThat(receiver.peers().get("node2").orElseThrow().rtt()).contains(Duration.ofMillis(3));
  }
}
