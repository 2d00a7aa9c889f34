package io.flywall.failover;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A read-only picture of the controller for the status and cluster APIs.
 *
 * @param epoch for a primary its own epoch, otherwise the highest epoch seen
 * @param primaryId this node when primary, else the alive peer primary with the highest epoch
 * @param since the instant of the last role change
 * @param handover present while this node hands its role over and keeps announcing it
 * @param standby an operator put this node in standby: it is not eligible for the primary role
 * @param inSync this node's replica has everything its primary has (what its heartbeats say)
 */
public record ControllerView(
    String nodeId,
    Role role,
    long epoch,
    int priority,
    boolean healthy,
    Optional<String> primaryId,
    Quorum quorum,
    Failback failback,
    Instant since,
    List<Alarm> alarms,
    List<Peer> peers,
    Optional<Handover> handover,
    boolean standby,
    boolean inSync) {

  public ControllerView {
    Objects.requireNonNull(primaryId, "primaryId");
    Objects.requireNonNull(handover, "handover");
    alarms = List.copyOf(alarms);
    peers = List.copyOf(peers);
  }

  /** {@code required} is 0 when no majority is required. */
  public record Quorum(int required, int visible, boolean hasQuorum) {}

  /** {@code pendingUntil}: on the primary, when a pending failback to a better node will fire. */
  public record Failback(FailbackMode mode, boolean enabled, Optional<Instant> pendingUntil) {}

  public record Alarm(String name, String detail) {}

  public record Peer(
      String nodeId,
      Role role,
      int priority,
      boolean alive,
      boolean healthy,
      Instant lastSeen,
      long epoch,
      long replicationPosition,
      boolean inSync,
      boolean witness,
      boolean standby) {}
}
