package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The TCP answer on the heartbeat port, probed like {@code nc -zv HOST PORT} probes it. */
class TcpConnectAnswerTest {
  private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

  private TcpConnectAnswer answer;

  @AfterEach
  void close() {
    if (answer != null) {
      answer.close();
    }
  }

  private static Socket connect(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.connect(address, 2_000);
    socket.setSoTimeout(5_000);
    return socket;
  }

  @Test
  void aConnectSucceedsAndTheNodeClosesItAtOnceWithoutWaitingForData() throws IOException {
    answer = TcpConnectAnswer.open(LOOPBACK_ANY_PORT).orElseThrow();

    try (Socket probe = connect(answer.localAddress())) {
      // End of stream, not a read timeout: the node closed its side without being asked to.
      assertThat(probe.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> answer.answered() == 1);
  }

  @Test
  void aClientThatKeepsSendingIsCutOffInsteadOfBeingRead() throws IOException {
    answer = TcpConnectAnswer.open(LOOPBACK_ANY_PORT).orElseThrow();

    try (Socket probe = connect(answer.localAddress())) {
      OutputStream out = probe.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      // A reader would take these 64 MiB; a connection closed at once refuses them early.
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 1_024; i++) {
                  out.write(chunk);
                  out.flush();
                }
              })
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void hundredsOfConnectsAreAllAnsweredWhileHeartbeatsOnTheSamePortKeepArriving() throws Exception {
    HeartbeatCodec codec = HeartbeatCodec.withKeys(ClusterKeys.fromSecret("loopback secret 0123"));
    Clock clock = Clock.systemUTC();
    DatagramChannel channel1 = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT);
    DatagramChannel channel2 = UdpHeartbeatTransport.bind(LOOPBACK_ANY_PORT);
    InetSocketAddress address1 = (InetSocketAddress) channel1.getLocalAddress();
    InetSocketAddress address2 = (InetSocketAddress) channel2.getLocalAddress();
    List<ReceivedHeartbeat> atNode1 = new CopyOnWriteArrayList<>();
    HeartbeatReceiver receiver1 = new HeartbeatReceiver("node1", Set.of(address2), codec, clock);
    HeartbeatReceiver receiver2 = new HeartbeatReceiver("node2", Set.of(address1), codec, clock);
    ExecutorService prober = Executors.newSingleThreadExecutor();
    try (UdpHeartbeatTransport node1 =
            UdpHeartbeatTransport.start(channel1, receiver1, atNode1::add);
        UdpHeartbeatTransport node2 =
            UdpHeartbeatTransport.start(channel2, receiver2, received -> {})) {
      // The TCP answer shares node1's heartbeat address and port, as in the daemon.
      answer = TcpConnectAnswer.open(address1).orElseThrow();
      assertThat(answer.localAddress()).isEqualTo(address1);
      int probes = 300;
      Future<Integer> connected =
          prober.submit(
              () -> {
                int ok = 0;
                for (int i = 0; i < probes; i++) {
                  try (Socket probe = connect(address1)) {
                    ok += probe.getInputStream().read() == -1 ? 1 : 0;
                  }
                }
                return ok;
              });
      HeartbeatSender sender2 = new HeartbeatSender("node2", 1, node2, receiver2.peers(), clock);
      int heartbeats = 0;
      while (!connected.isDone() && heartbeats < 10_000) {
        sender2.send(Heartbeats.primaryStatus(), HeartbeatCommand.NONE, List.of(address1));
        heartbeats++;
        int expected = heartbeats;
        await().atMost(Duration.ofSeconds(5)).until(() -> atNode1.size() == expected);
      }

      assertThat(connected.get()).isEqualTo(probes);
      assertThat(answer.answered()).isEqualTo(probes);
      assertThat(heartbeats).isPositive();
      assertThat(node1.counters().rejected()).isZero();
    } finally {
      prober.shutdownNow();
    }
  }

  @Test
  void aTakenTcpPortIsReportedAndLeavesTheNodeRunning() throws IOException {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Optional<TcpConnectAnswer> refused =
          TcpConnectAnswer.open(new InetSocketAddress("127.0.0.1", other.getLocalPort()));

      assertThat(refused).isEmpty();
    }
  }

  @Test
  void closingStopsAnsweringAndFreesThePort() throws IOException {
    answer = TcpConnectAnswer.open(LOOPBACK_ANY_PORT).orElseThrow();
    InetSocketAddress address = answer.localAddress();

    answer.close();

    assertThatThrownBy(() -> connect(address).close()).isInstanceOf(ConnectException.class);
    answer = TcpConnectAnswer.open(address).orElseThrow();
    try (Socket probe = connect(address)) {
      InputStream in = probe.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }
  }
}
