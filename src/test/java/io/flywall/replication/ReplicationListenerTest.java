package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Section 10.4, the replication listener under abuse: only configured peers get a handshake, at
 * most {@link Replication#MAX_HANDSHAKES} at once, and replication to a real replica goes on.
 */
class ReplicationListenerTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void aConnectionFromAnAddressThatIsNoPeerIsClosedBeforeAnyHandshake() throws Exception {
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, new ReplicationNode.Options())) {
      a.lead(1);
      try (Socket intruder = new Socket()) {
        intruder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        intruder.connect(a.target().address(), 2_000);
        // A handshake would wait 5 s for a ClientHello; a refused connection ends at once.
        intruder.setSoTimeout(2_000);
        assertThat(intruder.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(a.replication.stats()).containsEntry("refused_not_peer", 1L);
      assertThat(a.replication.stats()).containsEntry("auth_failures", 0L);
    }
  }

  @Test
  void aReplicaOnAnotherLoopbackAddressIsServedWhenItIsAConfiguredPeer() throws Exception {
    InetAddress second = InetAddress.getByName("127.0.0.2");
    var leaderOptions = new ReplicationNode.Options().peers(new PeerSources(Set.of(second)));
    var replicaOptions = new ReplicationNode.Options().listenOn(second);
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, leaderOptions);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, replicaOptions)) {
      a.lead(1);
      a.replication.put("b", "k", "v".getBytes(UTF_8), Optional.empty());
      b.follow(a);
      // The kernel would connect from 127.0.0.1; the replica connects from its own address.
      await().atMost(WAIT).until(() -> b.store.position() == a.store.position());
      assertThat(a.replication.stats()).containsEntry("refused_not_peer", 0L);
    }
  }

  @Test
  void handshakesBeyondTheBoundAreClosedAtOnceAndAReplicaStillFollowsAfterwards() throws Exception {
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, new ReplicationNode.Options());
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, new ReplicationNode.Options())) {
      a.lead(1);
      a.replication.put("b", "k", "v".getBytes(UTF_8), Optional.empty());
      List<Socket> idle = new ArrayList<>();
      try {
        // Peers that connect and say nothing: each holds a handshake until its deadline.
        for (int i = 0; i < Replication.MAX_HANDSHAKES; i++) {
          Socket socket = new Socket();
          socket.connect(a.target().address(), 2_000);
          idle.add(socket);
        }
        await()
            .atMost(WAIT)
            .until(() -> a.replication.handshakesInProgress() == Replication.MAX_HANDSHAKES);
        try (Socket extra = new Socket()) {
          extra.connect(a.target().address(), 2_000);
          extra.setSoTimeout(2_000);
          assertThat(extra.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(a.replication.stats()).containsEntry("handshakes_shed", 1L);
        assertThat(a.replication.handshakesInProgress()).isEqualTo(Replication.MAX_HANDSHAKES);
      } finally {
        for (Socket socket : idle) {
          socket.close();
        }
      }
      b.follow(a);
      await().atMost(WAIT).until(() -> b.store.position() == a.store.position());
    }
  }

  @Test
  void aClientThatTricklesBytesIsCutOffAtTheOverallDeadline() throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket(0);
        Socket client = new Socket()) {
      client.connect(server.getLocalSocketAddress(), 2_000);
      try (Socket accepted = server.accept()) {
        HandshakeDeadline in = new HandshakeDeadline(accepted, Duration.ofMillis(800), 5_000);
        long start = System.nanoTime();
        IOException cut = null;
        // One byte every 100 ms never trips a per-read timeout; the overall deadline does.
        for (int i = 0; i < 100 && cut == null; i++) {
          client.getOutputStream().write('x');
          client.getOutputStream().flush();
          try {
            in.read();
            await().pollDelay(Duration.ofMillis(100)).until(() -> true);
          } catch (IOException e) {
            cut = e;
          }
        }
        assertThat(cut).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("800 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void afterTheHandshakeTheDeadlineNoLongerApplies() throws Exception {
    try (java.net.ServerSocket server = new java.net.ServerSocket(0);
        Socket client = new Socket()) {
      client.connect(server.getLocalSocketAddress(), 2_000);
      try (Socket accepted = server.accept()) {
        HandshakeDeadline in = new HandshakeDeadline(accepted, Duration.ofMillis(200), 5_000);
        client.getOutputStream().write('a');
        assertThat(in.read()).isEqualTo('a');
        in.lift();
        accepted.setSoTimeout(0);
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        client.getOutputStream().write('b');
        assertThat(in.read()).isEqualTo('b');
      }
    }
  }
}
