package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeartbeatSenderTest {

  private static final InetSocketAddress NODE1 = new InetSocketAddress("10.0.0.1", 9002);
  private static final InetSocketAddress NODE2 = new InetSocketAddress("10.0.0.2", 9002);
  private static final InetSocketAddress NODE3 = new InetSocketAddress("10.0.0.3", 9002);

  private final MutableClock clock =
      new MutableClock(Instant.ofEpochMilli(Heartbeats.BOOT + 1_000));
  private static final HeartbeatCodec codec =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("sender secret 0123"));
  private final HeartbeatReceiver receiver =
      new HeartbeatReceiver("node1", Set.of(NODE2, NODE3), codec, clock);
  private final RecordingTransport transport = new RecordingTransport();
  private final HeartbeatSender sender =
      new HeartbeatSender("node1", Heartbeats.BOOT, transport, receiver.peers(), clock);

  @Test
  void everyDatagramCarriesTheNextSequenceTheBootIdAndTheSendTime() {
    sender.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(NODE2, NODE3));
    clock.advance(Duration.ofSeconds(1));
    sender.send(Heartbeats.primaryStatus(), HeartbeatCommand.RELEASE, List.of(NODE2));

    assertThat(transport.sent)
        .extracting(sent -> sent.heartbeat().sequence())
        .containsExactly(1L, 2L, 3L);
    assertThat(transport.sent)
        .extracting(RecordingTransport.Sent::destination)
        .containsExactly(NODE2, NODE3, NODE2);
    assertThat(transport.sent)
        .allSatisfy(
            sent -> {
              assertThat(sent.heartbeat().nodeId()).isEqualTo("node1");
              assertThat(sent.heartbeat().bootId()).isEqualTo(Heartbeats.BOOT);
              assertThat(sent.heartbeat().status()).isEqualTo(Heartbeats.primaryStatus());
            });
    assertThat(transport.sent.get(2).heartbeat().sendTimeMillis()).isEqualTo(clock.millis());
    assertThat(transport.sent.get(2).heartbeat().command()).isEqualTo(HeartbeatCommand.RELEASE);
  }

  @Test
  void eachDestinationGetsTheEchoOfWhatWasHeardFromIt() {
    long node2SendTime = Heartbeats.BOOT + 777;
    byte[] fromNode2 = codec.encode(Heartbeats.from("node2", Heartbeats.BOOT, 1, node2SendTime));
    receiver.receive(fromNode2, fromNode2.length, NODE2);
    clock.advance(Duration.ofMillis(40));

    sender.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(NODE2, NODE3));

    assertThat(transport.sent.get(0).heartbeat().echo())
        .isEqualTo(new Heartbeat.Echo(node2SendTime, 40));
    assertThat(transport.sent.get(1).heartbeat().echo()).isEqualTo(Heartbeat.Echo.NONE);
  }

  @Test
  void twoNodesMeasureTheirRoundTripFromEachOthersEchoes() {
    MutableClock clock2 = new MutableClock(clock.instant().plusSeconds(7)); // clocks need not agree
    HeartbeatReceiver receiver2 = new HeartbeatReceiver("node2", Set.of(NODE1), codec, clock2);
    RecordingTransport transport2 = new RecordingTransport();
    HeartbeatSender sender2 =
        new HeartbeatSender("node2", Heartbeats.BOOT, transport2, receiver2.peers(), clock2);

    sender.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(NODE2));
    advanceBoth(clock2, 3); // one-way delay 3 ms
    deliver(transport.sent.get(0).heartbeat(), receiver2, NODE1);
    advanceBoth(clock2, 10); // node2 holds it 10 ms before its next heartbeat
    sender2.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(NODE1));
    advanceBoth(clock2, 4); // one-way delay 4 ms
    Reception reception = deliver(transport2.sent.get(0).heartbeat(), receiver, NODE2);

    assertThat(((Reception.Accepted) reception).received().rtt()).contains(Duration.ofMillis(7));
  }

  private void advanceBoth(MutableClock other, long millis) {
    clock.advance(Duration.ofMillis(millis));
    other.advance(Duration.ofMillis(millis));
  }

  private Reception deliver(Heartbeat heartbeat, HeartbeatReceiver to, InetSocketAddress from) {
    byte[] datagram = codec.encode(heartbeat);
    return to.receive(datagram, datagram.length, from);
  }
}
