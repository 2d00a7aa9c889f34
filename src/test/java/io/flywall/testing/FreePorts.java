package io.flywall.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Random;

/** Ports that are free right now, for tests that start real processes. */
public final class FreePorts {
  private FreePorts() {}

  public static int tcp() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A UDP port free on every one of {@code hosts} (the nodes of a loopback cluster share it). */
  public static int udpOnAll(List<String> hosts, long seed) throws IOException {
    Random random = new Random(seed);
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + random.nextInt(20_000);
      if (hosts.stream().allMatch(h -> udpFree(h, port))) {
        return port;
      }
    }
    throw new IOException("no UDP port free on all of " + hosts);
  }

  /** A TCP port free on every one of {@code hosts}. */
  public static int tcpOnAll(List<String> hosts, long seed) throws IOException {
    Random random = new Random(seed);
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20_000 + random.nextInt(20_000);
      if (hosts.stream().allMatch(h -> tcpFree(h, port))) {
        return port;
      }
    }
    throw new IOException("no TCP port free on all of " + hosts);
  }

  private static boolean tcpFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean udpFree(String host, int port) {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(host, port))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
