package io.flywall.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A host without the secret, run inside a lab namespace by {@link AbuseLabIT}; every loop is
 * bounded by a count and a time. Two modes:
 *
 * <ul>
 *   <li>{@code flood HOST TCP_PORT UDP_PORT CONNECTIONS SECONDS DATAGRAMS_PER_SECOND SEED}: keeps
 *       up to CONNECTIONS connections open to the replication port, writing one byte to each every
 *       4 s and opening a new one (at most 1000 a second) for each that is closed; meanwhile sends
 *       random datagrams to the heartbeat port at the given rate.
 *   <li>{@code monitors URL_HOST PORT COUNT SECONDS}: opens COUNT {@code /api/ha/monitor} streams
 *       at once and holds the ones answered 200 for SECONDS.
 * </ul>
 *
 * Ends with one line of figures ({@code key=value ...}) on stdout.
 */
public final class Intruder {
  private static final long TRICKLE_NANOS = 4_000_000_000L;
  private static final int MAX_CONNECTS_PER_SECOND = 1000;

  private Intruder() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("flood")) {
      flood(
          args[1],
          Integer.parseInt(args[2]),
          Integer.parseInt(args[3]),
          Integer.parseInt(args[4]),
          Integer.parseInt(args[5]),
          Integer.parseInt(args[6]),
          Long.parseLong(args[7]));
    } else {
      monitors(
          args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    }
  }

  private static void flood(
      String host, int tcpPort, int udpPort, int connections, int seconds, int rate, long seed)
      throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    AtomicLong datagrams = new AtomicLong();
    Thread udp =
        new Thread(
            () -> {
              SplittableRandom random = new SplittableRandom(seed);
              try (DatagramChannel channel = DatagramChannel.open()) {
                channel.connect(new InetSocketAddress(host, udpPort));
                long interval = 1_000_000_000L / Math.max(1, rate);
                long next = System.nanoTime();
                while (System.nanoTime() < end) {
                  byte[] datagram = new byte[1 + random.nextInt(200)];
                  random.nextBytes(datagram);
                  try {
                    channel.write(ByteBuffer.wrap(datagram));
                    datagrams.incrementAndGet();
                  } catch (IOException e) {
                    // ICMP port unreachable while the daemon restarts: keep going.
                  }
                  next += interval;
                  long wait = next - System.nanoTime();
                  if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                  }
                }
              } catch (IOException e) {
                System.out.println("udp failed: " + e);
              }
            },
            "udp-flood");
    udp.start();

    long opened = 0;
    long closedByPeer = 0;
    long failed = 0;
    int maxOpen = 0;
    InetSocketAddress target = new InetSocketAddress(host, tcpPort);
    ByteBuffer one = ByteBuffer.wrap(new byte[] {0x16});
    ByteBuffer sink = ByteBuffer.allocate(512);
    try (Selector selector = Selector.open()) {
      long nextTrickle = System.nanoTime() + TRICKLE_NANOS;
      long secondStart = System.nanoTime();
      int openedThisSecond = 0;
      while (System.nanoTime() < end) {
        long now = System.nanoTime();
        if (now - secondStart >= 1_000_000_000L) {
          secondStart = now;
          openedThisSecond = 0;
        }
        while (selector.keys().size() < connections && openedThisSecond < MAX_CONNECTS_PER_SECOND) {
          SocketChannel channel = SocketChannel.open();
          channel.configureBlocking(false);
          channel.connect(target);
          channel.register(selector, SelectionKey.OP_CONNECT);
          openedThisSecond++;
        }
        selector.select(50);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          try {
            if (key.isConnectable()) {
              channel.finishConnect();
              opened++;
              key.interestOps(SelectionKey.OP_READ);
            } else if (key.isReadable()) {
              sink.clear();
              if (channel.read(sink) < 0) {
                closedByPeer++;
                key.cancel();
                channel.close();
              }
            }
          } catch (IOException e) {
            // Reset by the listener, or refused: counted, and the slot is opened again.
            if (key.isValid() && key.interestOps() == SelectionKey.OP_READ) {
              closedByPeer++;
            } else {
              failed++;
            }
            key.cancel();
            channel.close();
          }
        }
        selector.selectedKeys().clear();
        maxOpen = Math.max(maxOpen, selector.keys().size());
        if (System.nanoTime() >= nextTrickle) {
          nextTrickle += TRICKLE_NANOS;
          for (SelectionKey key : selector.keys()) {
            SocketChannel channel = (SocketChannel) key.channel();
            if (key.isValid() && channel.isConnected()) {
              try {
                channel.write(one.duplicate());
              } catch (IOException e) {
                key.cancel();
                channel.close();
              }
            }
          }
        }
      }
      for (SelectionKey key : selector.keys()) {
        key.channel().close();
      }
    }
    udp.join(5_000);
    System.out.println(
        "connections_opened="
            + opened
            + " closed_by_listener="
            + closedByPeer
            + " connect_failures="
            + failed
            + " most_open_at_once="
            + maxOpen
            + " datagrams_sent="
            + datagrams.get());
  }

  private static void monitors(String host, int port, int count, int seconds) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    byte[] request =
        ("GET /api/ha/monitor HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    int other = 0;
    // All at once, as a crowd would: each request is sent before any answer is read. A stream the
    // daemon ends closes the connection (Connection: close), so the ones still open are streaming.
    for (int i = 0; i < count; i++) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(host, port), 2_000);
        socket.getOutputStream().write(request);
        sockets.add(socket);
      } catch (IOException e) {
        other++;
        socket.close();
      }
    }
    List<Socket> streams = new ArrayList<>();
    int busy = 0;
    for (Socket socket : sockets) {
      try {
        socket.setSoTimeout(5_000);
        String status = statusLine(socket.getInputStream());
        if (status.contains(" 200 ")) {
          streams.add(socket);
        } else {
          busy += status.contains(" 503 ") ? 1 : 0;
          other += status.contains(" 503 ") ? 0 : 1;
          socket.close();
        }
      } catch (IOException e) {
        other++;
        socket.close();
      }
    }
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    byte[] drain = new byte[4096];
    int open = streams.size();
    while (System.nanoTime() < end && open > 0) {
      // Read what the streams send, so the daemon never waits on a full socket of ours; a stream
      // that lost the race for the last slot says so and ends.
      open = 0;
      for (Socket socket : streams) {
        if (socket.isClosed()) {
          continue;
        }
        try {
          socket.setSoTimeout(1);
          while (socket.getInputStream().read(drain) > 0) {
            // discarded
          }
          socket.close();
        } catch (java.net.SocketTimeoutException e) {
          open++;
        } catch (IOException e) {
          socket.close();
        }
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
    }
    System.out.println(
        "monitors_200="
            + streams.size()
            + " monitors_503="
            + busy
            + " monitors_other="
            + other
            + " monitors_still_streaming="
            + open);
    for (Socket socket : streams) {
      socket.close();
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n' && line.length() < 200; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }
}
