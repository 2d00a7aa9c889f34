package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A refused replication handshake is logged with the claimed node id escaped, and at most once per
 * ten seconds: anyone reaching the port can make one.
 */
class RefusedHandshakeLogTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final ChannelSecurity security =
      new ChannelSecurity(
          "node1", KEY, false, new SecureRandom(), new RefusalLog(clock, lines::add));
  private ServerSocket server;

  @BeforeEach
  void listen() throws Exception {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void close() throws Exception {
    server.close();
  }

  /** A client that claims {@code id} and then fails the challenge with a zero proof. */
  private void refusedHandshakeClaiming(byte[] id) throws Exception {
    try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      ByteArrayOutputStream greeting = new ByteArrayOutputStream();
      greeting.write("FWR1".getBytes(StandardCharsets.US_ASCII));
      greeting.write(id.length);
      greeting.write(id);
      greeting.write(new byte[32]); // client nonce
      greeting.write(new byte[32]); // a proof that cannot verify
      OutputStream out = client.getOutputStream();
      out.write(greeting.toByteArray());
      out.flush();
      Socket accepted = server.accept();
      assertThatThrownBy(() -> security.accept(accepted))
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void theClaimedIdIsEscapedSoItCannotForgeLogLines() throws Exception {
    byte[] id = "evil\n2026-11-29 INFO node promoted\u001b[2J'".getBytes(StandardCharsets.UTF_8);

    refusedHandshakeClaiming(id);

    assertThat(lines)
        .singleElement()
        .asString()
        .contains("'evil\\x0a2026-11-29 INFO node promoted\\x1b[2J\\x27'")
        .contains("failed the secret_key challenge")
        .doesNotContain("\n")
        .doesNotContain("\u001b");
  }

  @Test
  void aLongClaimedIdIsCutShort() throws Exception {
    byte[] id = "x".repeat(255).getBytes(StandardCharsets.US_ASCII);

    refusedHandshakeClaiming(id);

    assertThat(lines).singleElement().asString().contains("(191 more bytes)");
  }

  @Test
  void refusalsAreLoggedAtMostOncePerTenSecondsWithTheCountLeftOut() throws Exception {
    for (int i = 0; i < 5; i++) {
      refusedHandshakeClaiming("intruder".getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(lines).hasSize(1);

    clock.advance(Duration.ofSeconds(10));
    refusedHandshakeClaiming("intruder".getBytes(StandardCharsets.US_ASCII));

    assertThat(lines).hasSize(2);
    assertThat(lines.get(1)).contains("4 more refused since the last report");
    assertThat(security.refusedCount()).isEqualTo(6);
  }
}
