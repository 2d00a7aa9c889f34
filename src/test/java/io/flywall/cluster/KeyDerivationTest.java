package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyDerivationTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");

    byte[] prk = KeyDerivation.extract(salt, ikm);
    byte[] okm = KeyDerivation.expand(prk, info, 42);

    assertThat(HEX.formatHex(prk))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  }

  @Test
  void hkdfMatchesRfc5869TestCase3WithEmptySaltAndInfo() {
    byte[] ikm = HEX.parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");

    byte[] okm = KeyDerivation.derive(new byte[0], ikm, new byte[0], 42);

    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void heartbeatAndReplicationKeysDifferAndAreStablePerSecret() {
    ClusterKeys keys = ClusterKeys.fromSecret("correct horse battery staple");
    ClusterKeys again = ClusterKeys.fromSecret("correct horse battery staple");
    ClusterKeys other = ClusterKeys.fromSecret("correct horse battery stapler");

    assertThat(keys.heartbeatKey()).hasSize(32).isNotEqualTo(keys.replicationKey());
    assertThat(again.heartbeatKey()).isEqualTo(keys.heartbeatKey());
    assertThat(again.replicationKey()).isEqualTo(keys.replicationKey());
    assertThat(other.heartbeatKey()).isNotEqualTo(keys.heartbeatKey());
  }

  @Test
  void keysAreDerivedWithTheDocumentedLabels() {
    byte[] secret = "s3cret-shared-by-the-pair".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ClusterKeys keys = ClusterKeys.fromSecret(secret);

    assertThat(keys.heartbeatKey())
        .isEqualTo(
            KeyDerivation.derive(
                null,
                secret,
                "flywall heartbeat v1".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                32));
    assertThat(keys.replicationKey())
        .isEqualTo(
            KeyDerivation.derive(
                null,
                secret,
                "flywall replication v1".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                32));
  }

  @Test
  void keysNeverShowInToString() {
    assertThat(ClusterKeys.fromSecret("hunter2-hunter2-hunter2"))
        .hasToString("ClusterKeys[redacted]");
  }

  @Test
  void anEmptySecretIsRefused() {
    assertThatThrownBy(() -> ClusterKeys.fromSecret(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret");
  }
}
