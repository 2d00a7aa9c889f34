package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What this node knows of one peer from its heartbeats.
 *
 * @param lastSeen receiver clock time of the last accepted heartbeat
 * @param rtt the most recent round-trip measurement, empty until an echo arrived
 * @param receivedCount accepted heartbeats from this peer since this node started
 */
public record PeerStatus(
    String nodeId,
    InetSocketAddress address,
    Instant lastSeen,
    Heartbeat lastHeartbeat,
    Optional<Duration> rtt,
    long receivedCount) {

  /** How long the peer has been silent at {@code now}. */
  public Duration silentFor(Instant now) {
    return Duration.between(lastSeen, now);
  }
}
