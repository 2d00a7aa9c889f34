package io.flywall.conntrack;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What status and metrics show about connection-state sync. {@code state} is one of {@code
 * disabled}, {@code unavailable} (cannot run as configured), {@code starting}, {@code running} or
 * {@code restarting}. {@code alarms} are those raised now: name to detail. With several peers the
 * top-level fields sum the channels up (peer addresses joined, message counts and external entries
 * added, silent when any peer is); {@code peers} has each channel.
 */
public record SyncStatus(
    String state,
    String detail,
    Optional<String> syncInterface,
    Optional<String> peerAddress,
    Optional<ConntrackdStats> stats,
    boolean peerSilent,
    Optional<Instant> lastPeerMessage,
    long restarts,
    Optional<Duration> lastCommit,
    Map<String, String> alarms,
    List<PeerSyncStatus> peers) {

  public SyncStatus {
    alarms = Map.copyOf(alarms);
    peers = List.copyOf(peers);
  }

  public static SyncStatus disabled() {
    return new SyncStatus(
        "disabled",
        "conntrack_sync is not enabled",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        0,
        Optional.empty(),
        Map.of(),
        List.of());
  }

  public static SyncStatus unavailable(String reason) {
    return new SyncStatus(
        "unavailable",
        reason,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        Optional.empty(),
        0,
        Optional.empty(),
        Map.of(SyncObserver.DOWN, reason),
        List.of());
  }

  public boolean enabled() {
    return !state.equals("disabled");
  }

  /** Running and hearing from the peer. */
  public boolean healthy() {
    return state.equals("running") && !peerSilent;
  }
}
