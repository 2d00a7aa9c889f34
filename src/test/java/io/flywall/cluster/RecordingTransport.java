package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A transport fake that keeps what was sent. */
final class RecordingTransport implements HeartbeatTransport {

  record Sent(Heartbeat heartbeat, InetSocketAddress destination) {}

  final List<Sent> sent = new ArrayList<>();

  @Override
  public void send(Heartbeat heartbeat, InetSocketAddress destination) {
    sent.add(new Sent(heartbeat, destination));
  }

  @Override
  public TransportCounters counters() {
    return new TransportCounters(sent.size(), 0, 0, 0, 0, 0, 0);
  }

  @Override
  public void close() {}
}
