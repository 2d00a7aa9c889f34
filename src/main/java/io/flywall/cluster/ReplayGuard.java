package io.flywall.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Accepts only strictly increasing (boot id, sequence) per node id. A node not yet seen has no
 * history to compare against, so its first datagram must instead be recent: its send time within
 * {@code maxSkew} of this node's clock, which bounds how old a replayed capture can be. Not
 * thread-safe; {@link HeartbeatReceiver} serialises access.
 */
final class ReplayGuard {

  private record Position(long bootId, long sequence) {}

  private final Map<String, Position> lastAccepted = new HashMap<>();
  private final long maxSkewMillis;

  ReplayGuard(Duration maxSkew) {
    if (maxSkew.isNegative()) {
      throw new IllegalArgumentException("maxSkew must not be negative");
    }
    this.maxSkewMillis = maxSkew.toMillis();
  }

  /** Why {@code heartbeat} must be dropped, or empty if it is fresh. Does not record it. */
  Optional<Reception.Rejected> check(Heartbeat heartbeat, long nowMillis) {
    Position last = lastAccepted.get(heartbeat.nodeId());
    if (last == null) {
      long skew = heartbeat.sendTimeMillis() - nowMillis;
      if (Math.abs(skew) > maxSkewMillis) {
        return Optional.of(
            new Reception.Rejected(
                RejectReason.CLOCK_SKEW,
                "first heartbeat from "
                    + heartbeat.nodeId()
                    + " sent "
                    + skew
                    + " ms from this node's clock (allowed +-"
                    + maxSkewMillis
                    + " ms); check NTP"));
      }
      return Optional.empty();
    }
    boolean newer =
        heartbeat.bootId() > last.bootId()
            || (heartbeat.bootId() == last.bootId() && heartbeat.sequence() > last.sequence());
    if (!newer) {
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
    return Optional.empty();
  }

  void accept(Heartbeat heartbeat) {
    lastAccepted.put(heartbeat.nodeId(), new Position(heartbeat.bootId(), heartbeat.sequence()));
  }
}
