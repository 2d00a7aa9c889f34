package io.flywall.cluster;

import java.util.EnumSet;

/** Typical heartbeats for tests. */
final class Heartbeats {

  static final long BOOT = 1_764_150_000_000L;

  private Heartbeats() {}

  static NodeStatus primaryStatus() {
    return new NodeStatus(
        3,
        Heartbeat.Role.PRIMARY,
        100,
        EnumSet.of(Heartbeat.Flag.HEALTHY, Heartbeat.Flag.IN_SYNC),
        "192.168.100.1:9001",
        123_456,
        new Heartbeat.QuorumView(2, "node1"));
  }

  static Heartbeat from(String nodeId, long bootId, long sequence, long sendTimeMillis) {
    return new Heartbeat(
        nodeId,
        bootId,
        sequence,
        sendTimeMillis,
        primaryStatus(),
        Heartbeat.Echo.NONE,
        HeartbeatCommand.NONE);
  }

  /** A witness's ordinary heartbeat. */
  static Heartbeat witness(String nodeId, long bootId, long sequence, long sendTimeMillis) {
    return new Heartbeat(
        nodeId,
        bootId,
        sequence,
        sendTimeMillis,
        new NodeStatus(
            3,
            Heartbeat.Role.WITNESS,
            1000,
            EnumSet.of(Heartbeat.Flag.HEALTHY),
            "",
            0,
            new Heartbeat.QuorumView(3, "")),
        Heartbeat.Echo.NONE,
        HeartbeatCommand.NONE);
  }

  static Heartbeat withEcho(Heartbeat heartbeat, Heartbeat.Echo echo) {
    return new Heartbeat(
        heartbeat.nodeId(),
        heartbeat.bootId(),
        heartbeat.sequence(),
        heartbeat.sendTimeMillis(),
        heartbeat.status(),
        echo,
        heartbeat.command());
  }

  static Heartbeat withCommand(Heartbeat heartbeat, HeartbeatCommand command) {
    return new Heartbeat(
        heartbeat.nodeId(),
        heartbeat.bootId(),
        heartbeat.sequence(),
        heartbeat.sendTimeMillis(),
        heartbeat.status(),
        heartbeat.echo(),
        command);
  }
}
