package io.flywall.replication;

import java.io.IOException;

/** Messages over a {@link SecureChannel}, counted in the stats (wire, payload and raw bytes). */
final class MessageLink implements AutoCloseable {
  private final SecureChannel channel;
  private final MessageCodec codec;
  private final ReplicationStats stats;

  MessageLink(SecureChannel channel, MessageCodec codec, ReplicationStats stats) {
    this.channel = channel;
    this.codec = codec;
    this.stats = stats;
  }

  SecureChannel channel() {
    return channel;
  }

  void send(ReplicationMessage message) throws IOException {
    MessageCodec.Encoded encoded = codec.encode(message);
    int wire = channel.send(encoded.frame());
    stats.bytesSent.addAndGet(wire);
    stats.rawBytesSent.addAndGet(encoded.rawBytes());
    stats.payloadBytesSent.addAndGet(encoded.frame().payload().length);
  }

  /** Whether a message has (begun to) arrive, so {@link #receive} will not wait for the peer. */
  boolean ready() throws IOException {
    return channel.available();
  }

  ReplicationMessage receive() throws IOException, WireFormatException {
    Frame frame;
    try {
      frame = channel.receive();
    } catch (WireFormatException e) {
      stats.rejectedFrames.incrementAndGet();
      throw e;
    }
    stats.bytesReceived.addAndGet(FrameCodec.wireSize(frame));
    stats.payloadBytesReceived.addAndGet(frame.payload().length);
    try {
      ReplicationMessage message = codec.decode(frame);
      stats.rawBytesReceived.addAndGet(
          frame.compressed()
              ? java.nio.ByteBuffer.wrap(frame.payload()).getInt()
              : frame.payload().length);
      return message;
    } catch (WireFormatException e) {
      stats.rejectedFrames.incrementAndGet();
      throw e;
    }
  }

  @Override
  public void close() {
    channel.close();
  }
}
