package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Section 6, channel: an independent TLS 1.3 implementation (openssl) checks the PSK listener. */
class OpensslPskHandshakeTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static ReplicationNode node;

  @BeforeAll
  static void start() throws Exception {
    node = ReplicationNode.fresh("fw-tls", KEY, new ReplicationNode.Options().encryption(true));
    node.lead(1);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static boolean opensslPresent() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "openssl"))) {
        return true;
      }
    }
    return false;
  }

  private static String sClient(byte[] key, String suite) throws Exception {
    assumeTrue(
        opensslPresent(),
        "openssl is not installed: skipping the openssl s_client handshake check");
    List<String> command =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + node.replication.listenPort(),
                "-tls1_3",
                "-psk",
                HexFormat.of().formatHex(key),
                "-psk_identity",
                PskTls.IDENTITY,
                "-ciphersuites",
                suite));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("openssl finished").isTrue();
    return new String(process.getInputStream().readAllBytes(), UTF_8);
  }

  @Test
  void opensslCompletesATls13PskHandshakeWithTheReplicationListener() throws Exception {
    String out = sClient(KEY, "TLS_AES_128_GCM_SHA256");
    assertThat(out).contains("TLSv1.3").contains("Cipher is TLS_AES_128_GCM_SHA256");
    // psk_dhe_ke: an ephemeral key share was negotiated, so the session has forward secrecy.
    assertThat(out).containsPattern("Server Temp Key: (X25519|ECDH|DH|X448)");
  }

  @Test
  void opensslWithAWrongKeyIsRefused() throws Exception {
    long refusedBefore = (long) node.replication.stats().get("auth_failures");
    String out =
        sClient("ffffffffffffffffffffffffffffffff".getBytes(UTF_8), "TLS_AES_128_GCM_SHA256");
    assertThat(out).doesNotContain("Cipher is TLS_AES_128_GCM_SHA256");
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> (long) node.replication.stats().get("auth_failures") > refusedBefore);
  }

  @Test
  void theListenerOffersNoSha384Suite() throws Exception {
    String out = sClient(KEY, "TLS_AES_256_GCM_SHA384");
    assertThat(out).doesNotContain("Cipher is TLS_AES_256_GCM_SHA384");
  }
}
