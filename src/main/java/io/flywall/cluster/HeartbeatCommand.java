package io.flywall.cluster;

/** An instruction a heartbeat may carry besides the sender's status. */
public sealed interface HeartbeatCommand
    permits HeartbeatCommand.None,
        HeartbeatCommand.Release,
        HeartbeatCommand.Handover,
        HeartbeatCommand.Standby {

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

  /**
   * An operator's standby ({@code on}) or unstandby of {@code targetNodeId}, asked on the sender;
   * {@code requestId} grows with each request of the sender, so the target applies each once. Sent
   * only to the target (a node of a release without this command would drop the datagram).
   */
  record Standby(String targetNodeId, boolean on, long requestId) implements HeartbeatCommand {
    public Standby {
      Heartbeat.requireNodeId(targetNodeId, "targetNodeId");
      Heartbeat.requireNonNegative(requestId, "requestId");
    }
  }
}
