package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * DESIGN 10.3: an error in a stream never stops replication for good. A primary that sends what
 * makes the replica's code throw an unexpected runtime error (here a pushed file whose path the JVM
 * cannot even represent) gets an alarm on the replica and a reconnect after backoff, again and
 * again; the follower thread does not die.
 */
class FollowerRecoveryTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);

  /** Speaks the primary's side of the protocol, badly: answers every Follow with a bad push. */
  private static final class BadPrimary implements AutoCloseable {
    final ServerSocket server = new ServerSocket(0);
    final AtomicInteger connections = new AtomicInteger();
    private final ChannelSecurity security =
        new ChannelSecurity("fw-a", KEY, false, new SecureRandom());

    BadPrimary() throws Exception {
      Thread accept = new Thread(this::serve, "bad-primary");
      accept.setDaemon(true);
      accept.start();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket socket = server.accept()) {
          connections.incrementAndGet();
          MessageLink link =
              new MessageLink(
                  security.accept(socket), new MessageCodec(false), new ReplicationStats());
          link.receive();
          link.send(new ReplicationMessage.FilePush("bad\0path", 0644, "x".getBytes(UTF_8)));
          // Wait for the replica to drop the connection.
          link.receive();
        } catch (Exception e) {
          // The replica hung up, as it should: take the next connection.
        }
      }
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  @Test
  void anUnexpectedErrorIsAnAlarmAndTheReplicaKeepsRetryingWithBackoff() throws Exception {
    try (BadPrimary primary = new BadPrimary();
        ReplicationNode b =
            ReplicationNode.fresh("fw-b", KEY, new ReplicationNode.Options().encryption(false))) {
      b.primary.set(
          Optional.of(
              new PrimaryTarget(
                  "fw-a", new InetSocketAddress("127.0.0.1", primary.server.getLocalPort()))));
      b.replication.becomeReplica(Optional.of("fw-a"));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  b.replication
                      .alarms()
                      .getOrDefault("replication_stream", "")
                      .contains("internal"));
      int seen = primary.connections.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> primary.connections.get() >= seen + 2);
      assertThat(b.replication.status().problem()).contains("internal error");
    }
  }
}
