package io.flywall.cluster;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id over the operator's secret, run once at start before HKDF splits the result into keys.
 * Every heartbeat (and, with {@code encryption = false}, every handshake) lets an eavesdropper
 * check guesses of the secret offline; with this step each guess costs {@link #MEMORY_KIB} KiB of
 * memory and {@link #ITERATIONS} passes over it instead of two HMACs, which is what makes a short
 * secret expensive to find. The parameters are OWASP's minimum for Argon2id; they are part of the
 * key schedule, so every node of a cluster must use the same ones.
 */
final class SecretStretch {

  static final int MEMORY_KIB = 19 * 1024;
  static final int ITERATIONS = 2;
  static final int PARALLELISM = 1;
  static final int OUTPUT_BYTES = 32;

  /*
   * Nodes share nothing but the secret before they talk, so the salt is a constant: it separates
   * flywall's use of a secret from any other. A per-cluster salt would need a new config attribute
   * and would only stop precomputation across clusters, not the guessing against one.
   */
  private static final byte[] SALT =
      "flywall-ha cluster secret v1".getBytes(StandardCharsets.US_ASCII);

  /** Every input of the run but the secret, as {@link KeyCache} records it beside the output. */
  static final String PARAMETERS =
      "argon2id v=19 m="
          + MEMORY_KIB
          + " t="
          + ITERATIONS
          + " p="
          + PARALLELISM
          + " out="
          + OUTPUT_BYTES
          + " salt="
          + java.util.HexFormat.of().formatHex(SALT);

  private SecretStretch() {}

  static byte[] stretch(byte[] secret) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(SALT)
            .withMemoryAsKB(MEMORY_KIB)
            .withIterations(ITERATIONS)
            .withParallelism(PARALLELISM)
            .build());
    byte[] out = new byte[OUTPUT_BYTES];
    generator.generateBytes(secret, out);
    return out;
  }
}
