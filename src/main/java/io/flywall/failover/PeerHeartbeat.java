package io.flywall.failover;

import java.util.Objects;
import java.util.Optional;

/**
 * What the controller learns from one authenticated heartbeat, and what it announces itself (see
 * {@link FailoverController#heartbeat(java.time.Instant)}).
 *
 * @param epoch for a primary its own epoch, for any other node the highest epoch it has seen
 * @param healthPending the sender is starting and its monitors were not judged yet: not healthy,
 *     but not known to be unhealthy either
 * @param visibleVoters voters the sender sees, itself included
 * @param failbackVersion version of the cluster-wide failback setting carried with {@code
 *     failbackEnabled}
 * @param handover present while the sender hands its role to another node
 * @param witness a voter that never competes for the primary role
 * @param standby an operator put the sender in standby: it is never elected nor handed the role
 * @param followedPrimary the primary the sender follows (itself when primary; the wire's {@code
 *     followed_primary}): how a primary learns of a rival it cannot hear
 * @param standbyRequest an operator's standby or unstandby of another node, asked on the sender
 * @param bootId the sender's process life (it only grows; 0 where unknown): a new one says the
 *     sender restarted, even if its heartbeats never stopped for a failure_timeout
 */
public record PeerHeartbeat(
    String nodeId,
    long epoch,
    Role role,
    int priority,
    boolean healthy,
    boolean healthPending,
    boolean inSync,
    long replicationPosition,
    int visibleVoters,
    boolean hasQuorum,
    boolean failbackEnabled,
    long failbackVersion,
    Optional<Handover> handover,
    boolean witness,
    boolean standby,
    Optional<String> followedPrimary,
    Optional<StandbyRequest> standbyRequest,
    long bootId) {

  public PeerHeartbeat {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(handover, "handover");
    Objects.requireNonNull(followedPrimary, "followedPrimary");
    Objects.requireNonNull(standbyRequest, "standbyRequest");
    if (healthy && healthPending) {
      throw new IllegalArgumentException("a heartbeat is healthy or its health is pending");
    }
  }

  /** A heartbeat whose sender's health is known (judged, or assumed by its own controller). */
  public PeerHeartbeat(
      String nodeId,
      long epoch,
      Role role,
      int priority,
      boolean healthy,
      boolean inSync,
      long replicationPosition,
      int visibleVoters,
      boolean hasQuorum,
      boolean failbackEnabled,
      long failbackVersion,
      Optional<Handover> handover,
      boolean witness,
      boolean standby,
      Optional<String> followedPrimary,
      Optional<StandbyRequest> standbyRequest) {
    this(
        nodeId,
        epoch,
        role,
        priority,
        healthy,
        false,
        inSync,
        replicationPosition,
        visibleVoters,
        hasQuorum,
        failbackEnabled,
        failbackVersion,
        handover,
        witness,
        standby,
        followedPrimary,
        standbyRequest,
        0);
  }
}
