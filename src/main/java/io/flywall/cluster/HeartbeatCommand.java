package io.flywall.cluster;

/** An instruction a heartbeat may carry besides the sender's status. */
public sealed interface HeartbeatCommand
    permits HeartbeatCommand.None, HeartbeatCommand.Release, HeartbeatCommand.Handover {

  HeartbeatCommand NONE = new None();
  HeartbeatCommand RELEASE = new Release();

  /** The ordinary heartbeat: no command. */
  record None() implements HeartbeatCommand {}

  /** The sender (a primary) is releasing its role; any eligible backup may take over at once. */
  record Release() implements HeartbeatCommand {}

  /**
   * Planned failover: the sender hands the primary role to {@code targetNodeId} at {@code epoch}.
   */
  record Handover(String targetNodeId, long epoch) implements HeartbeatCommand {
    public Handover {
      Heartbeat.requireNodeId(targetNodeId, "targetNodeId");
      Heartbeat.requireNonNegative(epoch, "epoch");
    }
  }
}
