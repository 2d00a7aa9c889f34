package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Accepts only strictly increasing (boot id, sequence) per node id and source address, and only
 * datagrams whose send time is within {@code maxSkew} of this node's clock. The time bound holds
 * for every datagram, not only a peer's first: otherwise captures of a peer that has died could be
 * fed in one by one, each with a higher sequence than the last, and keep it "alive" long after it
 * went. Keyed by the address too, so a witness that claimed a node's id before the node was heard
 * cannot leave a position that makes the node's own heartbeats look like replays. Not thread-safe;
 * {@link HeartbeatReceiver} serialises access.
 */
final class ReplayGuard {

  private record Position(long bootId, long sequence) {}

  private record Speaker(String nodeId, InetSocketAddress address) {}

  private final Map<Speaker, Position> lastAccepted = new HashMap<>();
  private final long maxSkewMillis;

  ReplayGuard(Duration maxSkew) {
    if (maxSkew.isNegative()) {
      throw new IllegalArgumentException("maxSkew must not be negative");
    }
    this.maxSkewMillis = maxSkew.toMillis();
  }

  /** Why {@code heartbeat} must be dropped, or empty if it is fresh. Does not record it. */
  Optional<Reception.Rejected> check(
      Heartbeat heartbeat, InetSocketAddress source, long nowMillis) {
    Position last = lastAccepted.get(new Speaker(heartbeat.nodeId(), source));
    if (last != null
        && !(heartbeat.bootId() > last.bootId()
            || (heartbeat.bootId() == last.bootId() && heartbeat.sequence() > last.sequence()))) {
      return Optional.of(
          new Reception.Rejected(
              RejectReason.REPLAYED,
              "boot "
                  + heartbeat.bootId()
                  + " seq "
                  + heartbeat.sequence()
                  + " from "
                  + heartbeat.nodeId()
                  + " not after boot "
                  + last.bootId()
                  + " seq "
                  + last.sequence()));
    }
    long skew = skewMillis(heartbeat, nowMillis);
    if (Math.abs(skew) > maxSkewMillis) {
      return Optional.of(
          new Reception.Rejected(
              RejectReason.CLOCK_SKEW,
              "heartbeat from "
                  + heartbeat.nodeId()
                  + " sent "
                  + skew
                  + " ms from this node's clock (allowed +-"
                  + maxSkewMillis
                  + " ms): clocks out of step (check NTP) or a replayed capture"));
    }
    return Optional.empty();
  }

  /** How far ahead (positive) or behind this node's clock the heartbeat says it was sent. */
  static long skewMillis(Heartbeat heartbeat, long nowMillis) {
    return heartbeat.sendTimeMillis() - nowMillis;
  }

  void accept(Heartbeat heartbeat, InetSocketAddress source) {
    lastAccepted.put(
        new Speaker(heartbeat.nodeId(), source),
        new Position(heartbeat.bootId(), heartbeat.sequence()));
  }
}
