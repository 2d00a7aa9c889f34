package io.flywall.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats over UDP: one channel bound to the heartbeat address both sends and receives, so a
 * peer sees datagrams coming from the configured heartbeat port. A daemon thread receives, runs
 * each datagram through the {@link HeartbeatReceiver} and hands accepted heartbeats to the
 * listener.
 */
public final class UdpHeartbeatTransport implements HeartbeatTransport {

  private static final Logger LOG = LoggerFactory.getLogger(UdpHeartbeatTransport.class);

  private final DatagramChannel channel;
  private final HeartbeatReceiver receiver;
  private final Consumer<ReceivedHeartbeat> listener;
  private final Thread receiveThread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong sendFailures = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicBoolean failing = new AtomicBoolean();

  private UdpHeartbeatTransport(
      DatagramChannel channel, HeartbeatReceiver receiver, Consumer<ReceivedHeartbeat> listener) {
    this.channel = channel;
    this.receiver = Objects.requireNonNull(receiver, "receiver");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.receiveThread = new Thread(this::receiveLoop, "heartbeat-receive");
    this.receiveThread.setDaemon(true);
  }

  /**
   * Binds {@code bindAddress} (e.g. {@code 0.0.0.0:9002}) and starts receiving. Datagrams are sent
   * under the key the receiver has for each destination.
   */
  public static UdpHeartbeatTransport open(
      InetSocketAddress bindAddress,
      HeartbeatReceiver receiver,
      Consumer<ReceivedHeartbeat> listener)
      throws IOException {
    return start(bind(bindAddress), receiver, listener);
  }

  /**
   * A bound channel, for callers that must know the local address (ephemeral port) before they can
   * build the receiver; pass it to {@link #start}.
   */
  public static DatagramChannel bind(InetSocketAddress bindAddress) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    try {
      // No SO_REUSEADDR: a second daemon on the same heartbeat port must fail loudly, not share it.
      channel.bind(bindAddress);
      markAsNetworkControl(channel);
      return channel;
    } catch (IOException e) {
      channel.close();
      throw new IOException(
          "cannot bind heartbeat socket to " + bindAddress + ": " + e.getMessage(), e);
    }
  }

  /**
   * DSCP CS6 (network control), as VRRP uses, so heartbeats are queued ahead of bulk traffic on a
   * congested link; best effort, since some stacks refuse it.
   */
  private static void markAsNetworkControl(DatagramChannel channel) {
    try {
      channel.setOption(StandardSocketOptions.IP_TOS, 0xC0);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot mark heartbeats as network control traffic: {}", e.toString());
    }
  }

  /** Starts receiving on an already bound, blocking channel; the transport owns it from now on. */
  public static UdpHeartbeatTransport start(
      DatagramChannel boundChannel,
      HeartbeatReceiver receiver,
      Consumer<ReceivedHeartbeat> listener) {
    UdpHeartbeatTransport transport = new UdpHeartbeatTransport(boundChannel, receiver, listener);
    transport.receiveThread.start();
    return transport;
  }

  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("heartbeat socket is closed", e);
    }
  }

  @Override
  public void send(Heartbeat heartbeat, InetSocketAddress destination) {
    byte[] datagram = receiver.codecFor(destination).encode(heartbeat);
    try {
      channel.send(ByteBuffer.wrap(datagram), destination);
      sent.incrementAndGet();
      bytesSent.addAndGet(datagram.length);
      if (failing.compareAndSet(true, false)) {
        LOG.info("sending heartbeats to {} works again", destination);
      }
    } catch (IOException e) {
      sendFailures.incrementAndGet();
      // One warning per outage rather than one per interval.
      if (failing.compareAndSet(false, true)) {
        LOG.warn("cannot send heartbeat to {}: {}", destination, e.toString());
      } else {
        LOG.debug("cannot send heartbeat to {}: {}", destination, e.toString());
      }
    }
  }

  @Override
  public TransportCounters counters() {
    return new TransportCounters(
        sent.get(),
        sendFailures.get(),
        bytesSent.get(),
        received.get(),
        bytesReceived.get(),
        accepted.get(),
        rejected.get());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing heartbeat socket: {}", e.toString());
    }
    if (Thread.currentThread() != receiveThread) {
      try {
        receiveThread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void receiveLoop() {
    // One byte more than the limit, so an oversized datagram shows as oversized, not truncated.
    ByteBuffer buffer = ByteBuffer.allocate(HeartbeatCodec.MAX_DATAGRAM_BYTES + 1);
    while (!closed.get()) {
      buffer.clear();
      SocketAddress source;
      try {
        source = channel.receive(buffer);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
        LOG.debug("heartbeat receive failed: {}", e.toString());
        continue;
      }
      received.incrementAndGet();
      bytesReceived.addAndGet(buffer.position());
      Reception reception =
          receiver.receive(buffer.array(), buffer.position(), (InetSocketAddress) source);
      if (reception instanceof Reception.Accepted acceptedHeartbeat) {
        accepted.incrementAndGet();
        deliver(acceptedHeartbeat.received());
      } else {
        rejected.incrementAndGet();
      }
    }
  }

  private void deliver(ReceivedHeartbeat heartbeat) {
    try {
      listener.accept(heartbeat);
    } catch (RuntimeException e) {
      // A faulty listener must not stop heartbeat reception: that would look like a dead peer.
      LOG.error(
          "heartbeat listener failed on a heartbeat from {}", heartbeat.heartbeat().nodeId(), e);
    }
  }
}
