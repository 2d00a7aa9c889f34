package io.flywall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
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
  void keysAreHkdfWithTheDocumentedLabelsOverArgon2idOfTheSecret() {
    byte[] secret = "s3cret-shared-by-the-pair".getBytes(StandardCharsets.UTF_8);
    ClusterKeys keys = ClusterKeys.fromSecret(secret);

    // Argon2id as the docs state it: 19 MiB, 2 passes, 1 lane, the fixed flywall salt.
    Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
    argon2.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt("flywall-ha cluster secret v1".getBytes(StandardCharsets.US_ASCII))
            .withMemoryAsKB(19 * 1024)
            .withIterations(2)
            .withParallelism(1)
            .build());
    byte[] stretched = new byte[32];
    argon2.generateBytes(secret, stretched);

    assertThat(keys.heartbeatKey()).isEqualTo(hkdf(stretched, "flywall heartbeat v1"));
    assertThat(keys.replicationKey()).isEqualTo(hkdf(stretched, "flywall replication v1"));
    assertThat(keys.witnessKey()).isEqualTo(hkdf(stretched, "flywall witness v1"));
  }

  @Test
  void aGuessOfTheSecretCannotBeCheckedWithHmacsAlone() {
    byte[] secret = "short-secret".getBytes(StandardCharsets.UTF_8);

    // Plain HKDF over the secret (two HMACs per guess) no longer yields the heartbeat key.
    assertThat(ClusterKeys.fromSecret(secret).heartbeatKey())
        .isNotEqualTo(hkdf(secret, "flywall heartbeat v1"));
  }

  @Test
  void theWitnessKeyIsItsOwnAndRoundTripsThroughItsText() {
    ClusterKeys keys = ClusterKeys.fromSecret("correct horse battery staple");

    assertThat(keys.witnessKey())
        .hasSize(32)
        .isNotEqualTo(keys.heartbeatKey())
        .isNotEqualTo(keys.replicationKey());
    assertThat(keys.witnessKeyText()).matches("[0-9a-f]{64}");
    assertThat(ClusterKeys.parseWitnessKey(keys.witnessKeyText())).isEqualTo(keys.witnessKey());
    assertThatThrownBy(() -> ClusterKeys.parseWitnessKey("abc"))
        .hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> ClusterKeys.parseWitnessKey("z".repeat(64)))
        .hasMessageContaining("hex digits only");
  }

  private static byte[] hkdf(byte[] inputKeyMaterial, String label) {
    return KeyDerivation.derive(null, inputKeyMaterial, label.getBytes(StandardCharsets.UTF_8), 32);
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
