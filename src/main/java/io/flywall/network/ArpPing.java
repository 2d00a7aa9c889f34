package io.flywall.network;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The arp_ping partition guard: asks the LAN whether anyone else still answers for the VIPs. Our
 * own MAC never counts as an answer. Throws {@link NetworkCommandException} when the probe itself
 * cannot run (the caller must not read that as "nobody answers").
 */
public interface ArpPing {

  /** Probes every VIP now and returns what each probe found, in the order given. */
  List<ProbeAnswer> probeAll(Collection<Vip> vips);

  /**
   * What the LAN answered for each VIP to requests sent at or after {@code since}, probing now for
   * those not probed yet. A probe that keeps no requests going (the arping fallback) probes now,
   * which counts only later requests still.
   */
  default List<ProbeAnswer> probeSince(Collection<Vip> vips, Instant since) {
    return probeAll(vips);
  }

  /**
   * Starts requests for {@code vips} and keeps them going until {@link #stop}, so a later {@link
   * #probeSince} is ready at once (arp_ping during failure detection). The fallback cannot: it
   * probes when asked.
   */
  default void start(Collection<Vip> vips) {}

  /**
   * Opens what requests for {@code vips} need (sockets, receiver threads) without sending any, so
   * that the first {@link #start} pays nothing: a node that becomes a backup calls it. Throws like
   * {@link #start} when that cannot be done. Not a default method: a wrapper that forgot to pass it
   * on left every takeover opening its sockets then.
   */
  void prepare(Collection<Vip> vips);

  /** Stops what {@link #start} began. */
  default void stop() {}

  /**
   * Stops, and closes what a probe keeps open between starts (sockets, threads): the node is
   * stopping.
   */
  default void close() {
    stop();
  }
}
