package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds and sends this node's heartbeats: stamps node id, boot id, the next sequence number and
 * the send time, and gives each destination the echo of the last heartbeat heard from it, so that
 * peer can measure the round trip.
 */
public final class HeartbeatSender {

  private final String nodeId;
  private final long bootId;
  private final HeartbeatTransport transport;
  private final PeerTable peers;
  private final Clock clock;
  private final AtomicLong sequence = new AtomicLong();

  /**
   * @param bootId from {@link BootId#next}, so sequences restarting at 1 are still fresh to peers
   * @param peers where echoes come from, normally {@link HeartbeatReceiver#peers()}
   */
  public HeartbeatSender(
      String nodeId, long bootId, HeartbeatTransport transport, PeerTable peers, Clock clock) {
    Heartbeat.requireNodeId(nodeId, "nodeId");
    Heartbeat.requireNonNegative(bootId, "bootId");
    this.nodeId = nodeId;
    this.bootId = bootId;
    this.transport = Objects.requireNonNull(transport, "transport");
    this.peers = Objects.requireNonNull(peers, "peers");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Sends {@code status} and {@code command} to every destination. Synchronised so sequence order
   * is send order: a command sent while a tick is sending must not overtake it, or the peer would
   * drop the later-numbered one first and the other as a replay.
   */
  public synchronized void send(
      NodeStatus status, HeartbeatCommand command, Collection<InetSocketAddress> destinations) {
    for (InetSocketAddress destination : destinations) {
      transport.send(heartbeatFor(status, command, destination), destination);
    }
  }

  /** The next heartbeat for {@code destination}; consumes a sequence number. */
  public synchronized Heartbeat heartbeatFor(
      NodeStatus status, HeartbeatCommand command, InetSocketAddress destination) {
    long now = clock.millis();
    Heartbeat.Echo echo =
        peers
            .heardFrom(destination)
            .map(
                peer ->
                    new Heartbeat.Echo(
                        peer.lastHeartbeat().sendTimeMillis(),
                        Math.max(0, now - peer.lastSeen().toEpochMilli())))
            .orElse(Heartbeat.Echo.NONE);
    return new Heartbeat(nodeId, bootId, sequence.incrementAndGet(), now, status, echo, command);
  }
}
