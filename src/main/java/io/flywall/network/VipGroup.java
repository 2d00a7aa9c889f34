package io.flywall.network;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's VIPs as one unit, the way the controller thinks of them: claim all (and announce them
 * on the LAN), release all, or probe whether someone else still answers for them.
 */
public interface VipGroup {
  /**
   * Adds every VIP and starts gratuitous ARP / unsolicited NA; throws with a clear message on
   * failure.
   */
  void claim() throws Exception;

  /** Removes every VIP; removing an absent one is success. */
  void release() throws Exception;

  /**
   * The conflict when another MAC answers for one of the VIPs, counting only answers to requests
   * sent at or after {@code since}.
   */
  Optional<Conflict> probeConflict(Instant since) throws Exception;

  /**
   * Another MAC answers for a VIP: {@code detail} says which, {@code lastAnswerAt} when the last
   * answer came (if the probe knows), so that the next verdict may count requests from then on.
   */
  record Conflict(String detail, Optional<Instant> lastAnswerAt) {
    public Conflict {
      java.util.Objects.requireNonNull(detail, "detail");
      java.util.Objects.requireNonNull(lastAnswerAt, "lastAnswerAt");
    }
  }

  /** Starts probing the LAN for the VIPs and keeps at it until {@link #stopProbe}. */
  default void startProbe() {}

  /**
   * Opens the probe's and the announcements' sockets before they are needed (the node became a
   * backup): the first probe of a takeover then sends at once, and its first announcement too.
   */
  default void prepareTakeover() {}

  /** Stops what {@link #startProbe} began. */
  default void stopProbe() {}

  /** The node is stopping: stops probing and lets go of what the probe keeps open (sockets). */
  default void closeProbe() {
    stopProbe();
  }

  /** Periodic work while primary (refresh announcements); called on every controller tick. */
  void tick(boolean primary);

  /**
   * Announces the held VIPs again at once (a burst), e.g. when a stale primary reappears on the
   * LAN.
   */
  void reannounce();

  List<VipState> state();

  /**
   * A reload changed the VIPs: from now on the group is {@code vips} (those with gratuitous ARP in
   * {@code announced}, with arp_ping in {@code probed}). While the VIPs are claimed, removed ones
   * are removed and new ones added and announced at once; otherwise nothing changes on the
   * interfaces.
   */
  default void reconfigure(List<Vip> vips, List<Vip> announced, List<Vip> probed) throws Exception {
    throw new UnsupportedOperationException(
        "this node runs without a network plane for VIPs; restart it to change virtual_ip");
  }

  /** Alarms the network plane raised about itself (name to detail), shown with the node's. */
  default Map<String, String> alarms() {
    return Map.of();
  }

  /** One VIP as shown by the status API. */
  record VipState(String address, String interfaceName, boolean held) {}

  /** The group of a node configured without VIPs: nothing to claim, nothing to probe. */
  static VipGroup none() {
    return new VipGroup() {
      @Override
      public void claim() {}

      @Override
      public void release() {}

      @Override
      public Optional<Conflict> probeConflict(Instant since) {
        return Optional.empty();
      }

      @Override
      public void tick(boolean primary) {}

      @Override
      public void reannounce() {}

      @Override
      public List<VipState> state() {
        return List.of();
      }
    };
  }
}
