package io.flywall.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * An authenticated connection to one peer carrying MAC'ed frames. Sending is thread-safe (a
 * session's writer and its ack reader share one channel); receiving is for one thread.
 */
public final class SecureChannel implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final FrameCodec codec;
  private final String peerNodeId;
  private final Runnable closeTls;

  SecureChannel(
      Socket socket,
      InputStream in,
      OutputStream out,
      FrameCodec codec,
      String peerNodeId,
      Runnable closeTls) {
    this.socket = socket;
    this.in = new BufferedInputStream(in, 64 * 1024);
    this.out = new BufferedOutputStream(out, 64 * 1024);
    this.codec = codec;
    this.peerNodeId = peerNodeId;
    this.closeTls = closeTls;
  }

  public String peerNodeId() {
    return peerNodeId;
  }

  public String remoteAddress() {
    return socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
  }

  /** Sends one frame; returns its size on the wire. */
  public int send(Frame frame) throws IOException {
    byte[] wire = codec.encode(frame);
    synchronized (out) {
      out.write(wire);
      out.flush();
    }
    return wire.length;
  }

  public Frame receive() throws IOException, WireFormatException {
    return codec.read(in);
  }

  /**
   * Whether received bytes are waiting to be read: decrypted ones, or ones still encrypted in the
   * socket (TLS counts only records it already read, so a queue of whole records would look empty).
   */
  public boolean available() throws IOException {
    return in.available() > 0 || socket.getInputStream().available() > 0;
  }

  public void receiveTimeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /**
   * Closes the socket without a TLS close_notify, which a peer that stopped reading would never
   * take: a writer blocked on this channel fails at once.
   */
  public void abort() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing an already broken connection.
    }
    closeTls.run();
  }

  @Override
  public void close() {
    closeTls.run();
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing an already broken connection.
    }
  }
}
