package io.flywall.cluster;

import java.net.InetSocketAddress;

/**
 * Carries heartbeats between nodes. Received heartbeats go, already authenticated and
 * replay-checked, to the listener the transport was opened with. The one real implementation is
 * {@link UdpHeartbeatTransport}; simulations supply their own.
 */
public interface HeartbeatTransport extends AutoCloseable {

  /** Sends one heartbeat; failures are counted, never thrown, since the next interval retries. */
  void send(Heartbeat heartbeat, InetSocketAddress destination);

  TransportCounters counters();

  /** Stops receiving and releases the socket; idempotent. */
  @Override
  void close();
}
