package io.flywall.network;

import java.util.Collection;
import java.util.List;

/**
 * Tells the LAN that this node now answers for its VIPs (gratuitous ARP for IPv4, unsolicited
 * neighbour advertisements for IPv6), so neighbours move their cache entries to our MAC at once.
 * All VIPs are tried; failures are reported together in one {@link NetworkCommandException}.
 */
public interface Announcer {

  /** Sends what the schedule said is due. */
  default void send(Announcement announcement) {
    announce(List.of(announcement.vip()), announcement.count());
  }

  /** Announces every VIP {@code count} times. */
  void announce(Collection<Vip> vips, int count);

  /**
   * Opens what announcing {@code vips} needs (sockets) and builds its packets once, sending
   * nothing, so that the first announcement of a takeover pays for neither: a node that becomes a
   * backup calls it. Throws like {@link #announce} when that cannot be done. Not a default method:
   * a wrapper that forgot to pass it on left every takeover opening its sockets then.
   */
  void prepare(Collection<Vip> vips);
}
