package io.flywall.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers TCP connects on the heartbeat address and port, so that the troubleshooting step {@code
 * nc -zv HOST 9002} tells an operator whether the port is reachable through the firewalls between
 * the nodes. Heartbeats stay UDP; this reads nothing and closes every connection at once, so a
 * connection never stays open and a flood of connects costs one low-priority thread, never the
 * heartbeat threads.
 */
public final class TcpConnectAnswer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpConnectAnswer.class);

  /** A few probes may wait to be accepted; the kernel refuses connects beyond that. */
  private static final int BACKLOG = 8;

  /** After an accept error (say, out of file descriptors), wait instead of spinning. */
  private static final Duration ERROR_PAUSE = Duration.ofMillis(100);

  private final ServerSocketChannel server;
  private final Thread acceptThread;
  private final AtomicLong answered = new AtomicLong();
  private volatile boolean closed;

  private TcpConnectAnswer(ServerSocketChannel server) {
    this.server = server;
    this.acceptThread = new Thread(this::acceptLoop, "heartbeat-tcp-answer");
    acceptThread.setDaemon(true);
    acceptThread.setPriority(Thread.MIN_PRIORITY);
  }

  /**
   * Listens on {@code address} (the heartbeat bind address). Empty, with a warning logged, when the
   * TCP port cannot be had: answering probes is a convenience and must never stop a node.
   */
  public static Optional<TcpConnectAnswer> open(InetSocketAddress address) {
    ServerSocketChannel server = null;
    try {
      server = ServerSocketChannel.open();
      // Lets a restarted daemon listen again while connections of the old one are in TIME_WAIT.
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(address, BACKLOG);
    } catch (IOException e) {
      closeQuietly(server);
      LOG.warn(
          "TCP connects to the heartbeat port {} will not be answered ({}); heartbeats (UDP) work"
              + " as before, only 'nc -zv' probes of this port fail",
          address,
          e.getMessage());
      return Optional.empty();
    }
    TcpConnectAnswer answer = new TcpConnectAnswer(server);
    answer.acceptThread.start();
    return Optional.of(answer);
  }

  public InetSocketAddress localAddress() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException("the TCP answer socket is closed", e);
    }
  }

  /** How many connects were answered (accepted and closed). */
  public long answered() {
    return answered.get();
  }

  private void acceptLoop() {
    while (!closed) {
      try (SocketChannel connection = server.accept()) {
        // Nothing is read: the handshake that just completed is the whole answer.
        answered.incrementAndGet();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (closed) {
          return;
        }
        LOG.debug("accepting a TCP connect on the heartbeat port failed: {}", e.toString());
        LockSupport.parkNanos(ERROR_PAUSE.toNanos());
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(server);
    if (Thread.currentThread() != acceptThread) {
      try {
        acceptThread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(ServerSocketChannel server) {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        LOG.debug("closing the TCP answer socket: {}", e.toString());
      }
    }
  }
}
