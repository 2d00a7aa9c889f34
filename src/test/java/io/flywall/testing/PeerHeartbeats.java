package io.flywall.testing;

import io.flywall.failover.PeerHeartbeat;

/** Copies of a controller's heartbeat with what the node, not the controller, adds on the wire. */
public final class PeerHeartbeats {
  private PeerHeartbeats() {}

  /** {@code hb} with another health (healthy, pending or neither) and boot id. */
  public static PeerHeartbeat withHealth(
      PeerHeartbeat hb, boolean healthy, boolean pending, long bootId) {
    return new PeerHeartbeat(
        hb.nodeId(),
        hb.epoch(),
        hb.role(),
        hb.priority(),
        healthy,
        pending,
        hb.inSync(),
        hb.replicationPosition(),
        hb.visibleVoters(),
        hb.hasQuorum(),
        hb.failbackEnabled(),
        hb.failbackVersion(),
        hb.handover(),
        hb.witness(),
        hb.standby(),
        hb.followedPrimary(),
        hb.standbyRequest(),
        bootId);
  }
}
