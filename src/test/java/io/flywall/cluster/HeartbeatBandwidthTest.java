package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.MutableClock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Section 5: "at 1 s interval a heartbeat costs well under 200 bytes/s per peer". Measures a day of
 * steady-state heartbeats as the sender really builds them (echo included) and prints the figures
 * (target/surefire-reports/io.flywall.cluster.HeartbeatBandwidthTest-output.txt).
 */
class HeartbeatBandwidthTest {

  private static final int IPV4_UDP_HEADER_BYTES = 28;
  private static final int SECONDS = 86_400;

  @Test
  void section5_HeartbeatsCostWellUnder200BytesPerSecondPerPeerAtOneSecondInterval() {
    MutableClock clock1 = new MutableClock(Instant.ofEpochMilli(Heartbeats.BOOT));
    MutableClock clock2 = new MutableClock(Instant.ofEpochMilli(Heartbeats.BOOT + 250));
    InetSocketAddress address1 = new InetSocketAddress("10.0.0.1", 9002);
    InetSocketAddress address2 = new InetSocketAddress("10.0.0.2", 9002);
    HeartbeatCodec codec = HeartbeatCodec.withKeys(ClusterKeys.fromSecret("bandwidth secret 0123"));
    HeartbeatReceiver receiver1 = new HeartbeatReceiver("node1", Set.of(address2), codec, clock1);
    HeartbeatReceiver receiver2 = new HeartbeatReceiver("node2", Set.of(address1), codec, clock2);
    RecordingTransport wire1 = new RecordingTransport();
    RecordingTransport wire2 = new RecordingTransport();
    HeartbeatSender sender1 =
        new HeartbeatSender("node1", Heartbeats.BOOT, wire1, receiver1.peers(), clock1);
    HeartbeatSender sender2 =
        new HeartbeatSender("node2", Heartbeats.BOOT + 9, wire2, receiver2.peers(), clock2);

    long bytes = 0;
    long largest = 0;
    for (int second = 0; second < SECONDS; second++) {
      sender1.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(address2));
      byte[] datagram = codec.encode(wire1.sent.remove(0).heartbeat());
      bytes += datagram.length + IPV4_UDP_HEADER_BYTES;
      largest = Math.max(largest, datagram.length);
      assertThat(receiver2.receive(datagram, datagram.length, address1))
          .isInstanceOf(Reception.Accepted.class);
      advance(clock1, clock2, Duration.ofMillis(500));
      sender2.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(address1));
      byte[] reply = codec.encode(wire2.sent.remove(0).heartbeat());
      assertThat(receiver1.receive(reply, reply.length, address2))
          .isInstanceOf(Reception.Accepted.class);
      advance(clock1, clock2, Duration.ofMillis(500));
    }
    double bytesPerSecond = (double) bytes / SECONDS;

    Heartbeat typical = wire1Sample(sender1, address2);
    int plain = codec.encode(typical).length;
    int handover =
        codec.encode(Heartbeats.withCommand(typical, new HeartbeatCommand.Handover("node2", 4)))
            .length;
    int release = codec.encode(Heartbeats.withCommand(typical, HeartbeatCommand.RELEASE)).length;
    System.out.printf(
        "heartbeat datagram, node id \"node1\", with echo: %d bytes (UDP payload)%n", plain);
    int withoutEcho = codec.encode(Heartbeats.withEcho(typical, Heartbeat.Echo.NONE)).length;
    System.out.printf("  before any echo (first heartbeat to a peer): %d bytes%n", withoutEcho);
    System.out.printf(
        "  with RELEASE command: %d bytes; with HANDOVER(node2, epoch 4): %d bytes%n",
        release, handover);
    System.out.printf(
        "  largest over one simulated day (sequence up to %d): %d bytes%n", SECONDS, largest);
    System.out.printf(
        "bandwidth per peer at 1 s interval incl. %d bytes IPv4+UDP headers: %.1f bytes/s%n",
        IPV4_UDP_HEADER_BYTES, bytesPerSecond);

    assertThat(plain).isLessThan(150);
    assertThat(handover).isLessThan(150);
    assertThat(bytesPerSecond).isLessThan(150.0);
  }

  private static Heartbeat wire1Sample(HeartbeatSender sender, InetSocketAddress destination) {
    return sender.heartbeatFor(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, destination);
  }

  private static void advance(MutableClock first, MutableClock second, Duration duration) {
    first.advance(duration);
    second.advance(duration);
  }
}
