package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An accepted heartbeat with what the receiver observed: where it came from, when (on the
 * receiver's clock) and the round-trip time its echo yields, if it carried one.
 */
public record ReceivedHeartbeat(
    Heartbeat heartbeat, InetSocketAddress source, Instant receivedAt, Optional<Duration> rtt) {

  public ReceivedHeartbeat {
    Objects.requireNonNull(heartbeat, "heartbeat");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(rtt, "rtt");
  }
}
