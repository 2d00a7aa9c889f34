package io.flywall.conntrack;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What status and metrics show about connection-state sync. {@code state} is one of {@code
 * disabled}, {@code unavailable} (cannot run as configured), {@code starting}, {@code running} or
 * {@code restarting}. {@code alarms} are those raised now: name to detail.
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
    Map<String, String> alarms) {

  public SyncStatus {
    alarms = Map.copyOf(alarms);
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
        Map.of());
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
        Map.of(SyncObserver.DOWN, reason));
  }

  public boolean enabled() {
    return !state.equals("disabled");
  }

  /** Running and hearing from the peer. */
  public boolean healthy() {
    return state.equals("running") && !peerSilent;
  }
}
