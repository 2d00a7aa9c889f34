package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Tells when authenticated heartbeats from a configured address keep arriving outside the skew
 * bound: {@link #REPEATS} in a row with none accepted between is a clock out of step, not a stray
 * late datagram, and without an alarm that node would just look dead. Accepting a heartbeat from
 * the address ends its streak; a streak with no rejection for {@link #QUIET} is forgotten. Not
 * thread-safe; {@link HeartbeatReceiver} serialises access.
 */
final class SkewAlarm {

  static final int REPEATS = 3;
  static final Duration QUIET = Duration.ofMinutes(1);

  private record Streak(String nodeId, int count, long skewMillis, Instant last) {}

  private final long maxSkewMillis;
  private final Map<InetSocketAddress, Streak> streaks = new HashMap<>();

  SkewAlarm(Duration maxSkew) {
    this.maxSkewMillis = maxSkew.toMillis();
  }

  void rejected(InetSocketAddress source, String nodeId, long skewMillis, Instant now) {
    Streak previous = streaks.get(source);
    int count = previous == null ? 1 : previous.count() + 1;
    streaks.put(source, new Streak(nodeId, count, skewMillis, now));
  }

  void accepted(InetSocketAddress source) {
    streaks.remove(source);
  }

  /** What the alarm says, or empty while no address has a current streak. */
  Optional<String> detail(Instant now) {
    StringJoiner detail = new StringJoiner("; ");
    for (Iterator<Streak> it = streaks.values().iterator(); it.hasNext(); ) {
      Streak streak = it.next();
      if (Duration.between(streak.last(), now).compareTo(QUIET) > 0) {
        it.remove();
      } else if (streak.count() >= REPEATS) {
        detail.add(
            "heartbeats from "
                + streak.nodeId()
                + " were sent "
                + Math.abs(streak.skewMillis()) / 1000.0
                + " s "
                + (streak.skewMillis() > 0 ? "ahead of" : "behind")
                + " this node's clock ("
                + streak.count()
                + " in a row, allowed +-"
                + maxSkewMillis / 1000.0
                + " s)");
      }
    }
    if (detail.length() == 0) {
      return Optional.empty();
    }
    return Optional.of(detail + ": that node counts as silent; synchronise the clocks (NTP)");
  }
}
