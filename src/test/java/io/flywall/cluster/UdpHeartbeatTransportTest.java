package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real transports on loopback, ephemeral ports. */
class UdpHeartbeatTransportTest {

  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

  private final Clock clock = Clock.systemUTC();
  private static final HeartbeatCodec codec =
      HeartbeatCodec.withKeys(ClusterKeys.fromSecret("loopback secret 0123"));
  private final List<ReceivedHeartbeat> atNode1 = new CopyOnWriteArrayList<>();
  private final List<ReceivedHeartbeat> atNode2 = new CopyOnWriteArrayList<>();
  private UdpHeartbeatTransport node1;
  private UdpHeartbeatTransport node2;
  private HeartbeatReceiver receiver1;
  private HeartbeatReceiver receiver2;

  private void openBoth() throws IOException {
    DatagramChannel channel1 = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT);
    DatagramChannel channel2 = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT);
    InetSocketAddress address1 = (InetSocketAddress) channel1.getLocalAddress();
    InetSocketAddress address2 = (InetSocketAddress) channel2.getLocalAddress();
    receiver1 = new HeartbeatReceiver("node1", Set.of(address2), codec, clock);
    receiver2 = new HeartbeatReceiver("node2", Set.of(address1), codec, clock);
    node1 = UdpHeartbeatTransport.start(channel1, receiver1, atNode1::add);
    node2 = UdpHeartbeatTransport.start(channel2, receiver2, atNode2::add);
  }

  @AfterEach
  void closeBoth() {
    if (node1 != null) {
      node1.close();
    }
    if (node2 != null) {
      node2.close();
    }
  }

  @Test
  void twoNodesExchangeHeartbeatsAndMeasureTheRoundTrip() throws IOException {
    openBoth();
    HeartbeatSender sender1 = new HeartbeatSender("node1", 1, node1, receiver1.peers(), clock);
    HeartbeatSender sender2 = new HeartbeatSender("node2", 1, node2, receiver2.peers(), clock);

    long exchangeStarted = clock.millis();
    // Ping-pong until each side has seen an echo of its own heartbeat.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              sender1.send(
                  Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(node2.localAddress()));
              sender2.send(
                  Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(node1.localAddress()));
              return atNode1.stream().anyMatch(received -> received.rtt().isPresent())
                  && atNode2.stream().anyMatch(received -> received.rtt().isPresent());
            });

    ReceivedHeartbeat last = atNode1.get(atNode1.size() - 1);
    assertThat(last.heartbeat().nodeId()).isEqualTo("node2");
    assertThat(last.source()).isEqualTo(node2.localAddress());
    // A round trip, not a clock reading: no longer than the exchange took. Counted in whole
    // milliseconds, a loopback round trip may be 0 (it was, on a warmed-up JVM).
    assertThat(receiver1.peers().get("node2").orElseThrow().rtt().orElseThrow())
        .isBetween(Duration.ZERO, Duration.ofMillis(clock.millis() - exchangeStarted));
    int deliveredSoFar = atNode1.size();
    TransportCounters counters = node1.counters();
    assertThat(counters.sent()).isPositive();
    assertThat(counters.sendFailures()).isZero();
    assertThat(counters.bytesSent()).isLessThan(counters.sent() * 150);
    assertThat(counters.accepted()).isGreaterThanOrEqualTo(deliveredSoFar);
    assertThat(receiver1.rejectedTotal()).isZero();
  }

  @Test
  void aValidDatagramFromAnUnknownSourceIsRejected() throws IOException {
    openBoth();
    byte[] datagram = codec.encode(Heartbeats.from("node2", 1, 1, clock.millis()));
    try (DatagramChannel intruder = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT)) {
      intruder.send(ByteBuffer.wrap(datagram), node1.localAddress());

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> receiver1.rejections().get(RejectReason.UNKNOWN_NODE) == 1L);
    }
    assertThat(atNode1).isEmpty();
    assertThat(node1.counters().received()).isEqualTo(1);
    assertThat(node1.counters().rejected()).isEqualTo(1);
  }

  @Test
  void anOversizedDatagramIsRejectedAsOversizedNotTruncated() throws IOException {
    openBoth();
    InetSocketAddress address2 = node2.localAddress();
    node2.close();
    // Rebind node2's port to send a datagram a transport would never produce.
    try (DatagramChannel asNode2 = UdpHeartbeatTransport.bind(address2)) {
      asNode2.send(ByteBuffer.wrap(new byte[2_000]), node1.localAddress());

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> receiver1.rejections().get(RejectReason.OVERSIZED) == 1L);
    }
    assertThat(node1.counters().bytesReceived()).isEqualTo(HeartbeatCodec.MAX_DATAGRAM_BYTES + 1);
  }

  @Test
  void aSecondTransportOnTheSamePortFailsWithTheAddressInTheMessage() throws IOException {
    openBoth();
    InetSocketAddress taken = node1.localAddress();

    assertThatThrownBy(() -> UdpHeartbeatTransport.open(taken, receiver1, atNode1::add))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot bind heartbeat socket to " + taken);
  }

  @Test
  void closeStopsTheReceiveThreadAndIsIdempotent() throws IOException {
    openBoth();
    node1.close();
    node1.close();

    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("heartbeat-receive"))
                .count())
        .isLessThanOrEqualTo(1);
    node2.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(
                        thread ->
                            thread.getName().equals("heartbeat-receive") && thread.isAlive()));
  }

  @Test
  void aFailingListenerDoesNotStopReception() throws IOException {
    DatagramChannel channel1 = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT);
    DatagramChannel channel2 = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT);
    InetSocketAddress address2 = (InetSocketAddress) channel2.getLocalAddress();
    receiver1 = new HeartbeatReceiver("node1", Set.of(address2), codec, clock);
    receiver2 =
        new HeartbeatReceiver(
            "node2", Set.of((InetSocketAddress) channel1.getLocalAddress()), codec, clock);
    node1 =
        UdpHeartbeatTransport.start(
            channel1,
            receiver1,
            received -> {
              atNode1.add(received);
              throw new IllegalStateException("listener bug");
            });
    node2 = UdpHeartbeatTransport.start(channel2, receiver2, atNode2::add);
    HeartbeatSender sender2 = new HeartbeatSender("node2", 1, node2, receiver2.peers(), clock);

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              sender2.send(
                  Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(node1.localAddress()));
              return atNode1.size() >= 3;
            });
  }
}
