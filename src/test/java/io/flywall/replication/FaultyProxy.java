package io.flywall.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between a replica and its primary that damages a stream on request, after a given
 * number of bytes of one connection, in the primary's direction (batches) or the replica's (acks):
 * flips one byte, cuts the connection, stalls the primary's stream (nothing more passes, nothing is
 * closed: a primary powered off), or freezes the connection (nothing is read either way any more,
 * until {@link #release}: a frozen replica).
 */
final class FaultyProxy implements AutoCloseable {
  /** What to do to the next connection. */
  enum Fault {
    NONE,
    FLIP_BYTE,
    CUT,
    STALL,
    FREEZE
  }

  private final ServerSocket server;
  private final InetSocketAddress target;
  private volatile Fault fault = Fault.NONE;
  private volatile long faultAfter;
  private volatile boolean upstream;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger faultsDone = new AtomicInteger();
  private final java.util.List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final CountDownLatch released = new CountDownLatch(1);
  volatile long frozenAtNanos;

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
        sockets.add(replica);
        sockets.add(primary);
        connections.incrementAndGet();
        Fault now = fault;
        fault = Fault.NONE;
        AtomicBoolean frozen = new AtomicBoolean();
        relay(
            replica.getInputStream(),
            primary.getOutputStream(),
            upstream ? now : Fault.NONE,
            faultAfter,
            frozen,
            replica,
            primary);
        relay(
            primary.getInputStream(),
            replica.getOutputStream(),
            upstream ? Fault.NONE : now,
            faultAfter,
            frozen,
            replica,
            primary);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void relay(
      InputStream in,
      OutputStream out,
      Fault damage,
      long after,
      AtomicBoolean frozen,
      Socket a,
      Socket b) {
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
                    if (damage == Fault.STALL) {
                      out.write(buffer, 0, at);
                      out.flush();
                      // Swallow the rest and never close the replica's side: like a primary that
                      // lost power, only the replica itself can notice.
                      while (in.read(buffer) >= 0 && !a.isClosed()) {
                        // discard
                      }
                      return;
                    }
                    if (damage == Fault.FREEZE) {
                      out.write(buffer, 0, at);
                      out.flush();
                      frozenAtNanos = System.nanoTime();
                      frozen.set(true);
                      released.await();
                      break;
                    }
                    buffer[at] ^= 0x40;
                  }
                  if (frozen.get()) {
                    // The other direction froze: nothing passes this way either.
                    released.await();
                    break;
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException ignored) {
                // One side went away: close both below.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              close(a);
              close(b);
            },
            "faulty-proxy-relay");
    thread.setDaemon(true);
    thread.start();
  }

  /** Ends every frozen connection (both its sockets close). */
  void release() {
    released.countDown();
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
    released.countDown();
    server.close();
    for (Socket socket : sockets) {
      close(socket);
    }
  }
}
