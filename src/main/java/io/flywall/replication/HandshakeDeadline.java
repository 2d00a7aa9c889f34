package io.flywall.replication;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The listener's input during a handshake: every read waits at most until one overall deadline. A
 * per-read timeout alone let a client that sends one byte every few seconds hold a handshake, and
 * its thread, for many minutes. {@link #lift} ends the bound once the peer is authenticated.
 */
final class HandshakeDeadline extends InputStream {
  private final Socket socket;
  private final InputStream in;
  private final Duration limit;
  private final int perReadMillis;
  private final long deadlineNanos;
  private volatile boolean lifted;

  HandshakeDeadline(Socket socket, Duration limit, int perReadMillis) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.limit = limit;
    this.perReadMillis = perReadMillis;
    this.deadlineNanos = System.nanoTime() + limit.toNanos();
  }

  /** The peer is authenticated: reads wait as the stream's own timeout says from now on. */
  void lift() {
    lifted = true;
  }

  @Override
  public int read() throws IOException {
    arm();
    return in.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    arm();
    return in.read(b, off, len);
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private void arm() throws IOException {
    if (lifted) {
      return;
    }
    long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
    if (leftMillis <= 0) {
      throw new SocketTimeoutException("handshake not finished within " + limit.toMillis() + " ms");
    }
    socket.setSoTimeout((int) Math.min(perReadMillis, leftMillis));
  }
}
