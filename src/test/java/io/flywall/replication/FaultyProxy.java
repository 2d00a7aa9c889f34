package io.flywall.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between a replica and its primary that damages a stream on request: flips one byte,
 * or cuts the connection, after a given number of bytes of one connection, in the primary's
 * direction (batches) or the replica's (acks).
 */
final class FaultyProxy implements AutoCloseable {
  /** What to do to the next connection's primary-to-replica bytes. */
  enum Fault {
    NONE,
    FLIP_BYTE,
    CUT
  }

  private final ServerSocket server;
  private final InetSocketAddress target;
  private volatile Fault fault = Fault.NONE;
  private volatile long faultAfter;
  private volatile boolean upstream;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger faultsDone = new AtomicInteger();

  FaultyProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "faulty-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getLocalPort());
  }

  /** Damages the next connection once, after {@code afterBytes} bytes from the primary. */
  void arm(Fault next, long afterBytes) {
    upstream = false;
    faultAfter = afterBytes;
    fault = next;
  }

  /** Damages the next connection once, after {@code afterBytes} bytes from the replica. */
  void armUpstream(Fault next, long afterBytes) {
    upstream = true;
    faultAfter = afterBytes;
    fault = next;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket replica = server.accept();
        Socket primary = new Socket(target.getAddress(), target.getPort());
        connections.incrementAndGet();
        Fault now = fault;
        fault = Fault.NONE;
        relay(
            replica.getInputStream(),
            primary.getOutputStream(),
            upstream ? now : Fault.NONE,
            faultAfter,
            replica,
            primary);
        relay(
            primary.getInputStream(),
            replica.getOutputStream(),
            upstream ? Fault.NONE : now,
            faultAfter,
            replica,
            primary);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void relay(
      InputStream in, OutputStream out, Fault damage, long after, Socket a, Socket b) {
    Thread thread =
        new Thread(
            () -> {
              AtomicLong passed = new AtomicLong();
              byte[] buffer = new byte[8192];
              boolean done = damage == Fault.NONE;
              try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                  long before = passed.getAndAdd(n);
                  if (!done && before + n > after) {
                    int at = (int) Math.max(0, after - before);
                    done = true;
                    faultsDone.incrementAndGet();
                    if (damage == Fault.CUT) {
                      out.write(buffer, 0, at);
                      out.flush();
                      break;
                    }
                    buffer[at] ^= 0x40;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException ignored) {
                // One side went away: close both below.
              }
              close(a);
              close(b);
            },
            "faulty-proxy-relay");
    thread.setDaemon(true);
    thread.start();
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
