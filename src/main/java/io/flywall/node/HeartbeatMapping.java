package io.flywall.node;

import io.flywall.cluster.Heartbeat;
import io.flywall.cluster.HeartbeatCommand;
import io.flywall.cluster.NodeStatus;
import io.flywall.failover.Handover;
import io.flywall.failover.PeerHeartbeat;
import io.flywall.failover.Role;
import io.flywall.failover.StandbyRequest;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Translates between the wire's heartbeat and the controller's view of one. */
final class HeartbeatMapping {
  private HeartbeatMapping() {}

  static PeerHeartbeat toController(Heartbeat heartbeat) {
    NodeStatus status = heartbeat.status();
    Optional<Handover> handover =
        heartbeat.command() instanceof HeartbeatCommand.Handover h
            ? Optional.of(new Handover(h.targetNodeId(), h.epoch()))
            : Optional.empty();
    Optional<StandbyRequest> standbyRequest =
        heartbeat.command() instanceof HeartbeatCommand.Standby s
            ? Optional.of(new StandbyRequest(s.targetNodeId(), s.on(), s.requestId()))
            : Optional.empty();
    return new PeerHeartbeat(
        heartbeat.nodeId(),
        status.epoch(),
        Role.valueOf(status.role().name()),
        status.priority(),
        status.has(Heartbeat.Flag.HEALTHY),
        status.has(Heartbeat.Flag.HEALTH_PENDING) && !status.has(Heartbeat.Flag.HEALTHY),
        status.has(Heartbeat.Flag.IN_SYNC),
        status.replicationPosition(),
        status.quorum().visibleVoters(),
        status.has(Heartbeat.Flag.HAS_QUORUM),
        status.has(Heartbeat.Flag.FAILBACK_ARMED),
        status.failbackVersion(),
        handover,
        status.role() == Heartbeat.Role.WITNESS,
        status.has(Heartbeat.Flag.STANDBY),
        Optional.of(status.quorum().followedPrimary()).filter(id -> !id.isEmpty()),
        standbyRequest,
        heartbeat.bootId());
  }

  static NodeStatus toWire(PeerHeartbeat own, String replicationAddress) {
    return toWire(own, replicationAddress, true);
  }

  /**
   * @param healthChecked whether the monitors were judged yet: the controller assumes health until
   *     told otherwise, a heartbeat must not claim it before anyone looked
   */
  static NodeStatus toWire(PeerHeartbeat own, String replicationAddress, boolean healthChecked) {
    Set<Heartbeat.Flag> flags = EnumSet.noneOf(Heartbeat.Flag.class);
    if (own.healthy() && healthChecked) {
      flags.add(Heartbeat.Flag.HEALTHY);
    } else if (own.healthy()) {
      // Starting: the peers wait a while for this node rather than elect another at once.
      flags.add(Heartbeat.Flag.HEALTH_PENDING);
    }
    if (own.inSync()) {
      flags.add(Heartbeat.Flag.IN_SYNC);
    }
    if (own.hasQuorum()) {
      flags.add(Heartbeat.Flag.HAS_QUORUM);
    }
    if (own.failbackEnabled()) {
      flags.add(Heartbeat.Flag.FAILBACK_ARMED);
    }
    if (own.standby()) {
      flags.add(Heartbeat.Flag.STANDBY);
    }
    if (own.role() == Role.INIT) {
      flags.add(Heartbeat.Flag.STARTUP_HOLD);
    }
    Heartbeat.Role role =
        own.witness() ? Heartbeat.Role.WITNESS : Heartbeat.Role.valueOf(own.role().name());
    return new NodeStatus(
        own.epoch(),
        role,
        own.priority(),
        flags,
        replicationAddress,
        own.replicationPosition(),
        new Heartbeat.QuorumView(
            Math.min(255, own.visibleVoters()), own.followedPrimary().orElse("")),
        own.failbackVersion());
  }

  static HeartbeatCommand command(PeerHeartbeat own) {
    return own.handover()
        .<HeartbeatCommand>map(h -> new HeartbeatCommand.Handover(h.target(), h.epoch()))
        .orElse(HeartbeatCommand.NONE);
  }

  /**
   * The command for the node {@code destination} (if known): a handover goes to every node; a
   * standby request, when no handover is under way, only to the node it concerns.
   */
  static HeartbeatCommand command(PeerHeartbeat own, Optional<String> destination) {
    if (own.handover().isEmpty()
        && own.standbyRequest().isPresent()
        && destination.equals(Optional.of(own.standbyRequest().get().node()))) {
      StandbyRequest r = own.standbyRequest().get();
      return new HeartbeatCommand.Standby(r.node(), r.on(), r.id());
    }
    return command(own);
  }
}
