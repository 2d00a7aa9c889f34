package io.flywall.cluster;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The keys derived from the cluster's {@code secret_key}: Argon2id once ({@link SecretStretch}),
 * then HKDF with distinct labels for independent keys: one authenticates heartbeats between nodes,
 * one the replication channel, and one the heartbeats with the witness. The witness gets only its
 * own key ({@code flywall config witness-key}), from which neither of the others follows, so a
 * witness can neither read replicated state nor speak as a node. Never printed: {@link #toString()}
 * is redacted.
 */
public final class ClusterKeys {

  public static final String HEARTBEAT_LABEL = "flywall heartbeat v1";
  public static final String REPLICATION_LABEL = "flywall replication v1";
  public static final String WITNESS_LABEL = "flywall witness v1";
  public static final int KEY_BYTES = 32;

  private final byte[] heartbeatKey;
  private final byte[] replicationKey;
  private final byte[] witnessKey;

  private ClusterKeys(byte[] heartbeatKey, byte[] replicationKey, byte[] witnessKey) {
    this.heartbeatKey = heartbeatKey;
    this.replicationKey = replicationKey;
    this.witnessKey = witnessKey;
  }

  /** Derives every key from the shared secret; costs one Argon2id run (a fraction of a second). */
  public static ClusterKeys fromSecret(byte[] secret) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("the cluster secret must not be empty");
    }
    return fromStretched(SecretStretch.stretch(secret));
  }

  public static ClusterKeys fromSecret(String secret) {
    return fromSecret(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Keys of a cluster of one, which has no secret to share: random and already of full strength, so
   * without the memory-hard step.
   */
  public static ClusterKeys random(SecureRandom random) {
    byte[] master = new byte[KEY_BYTES];
    random.nextBytes(master);
    return fromStretched(master);
  }

  /** The keys from an Argon2id output (cached by {@link KeyCache}); {@code stretched} is zeroed. */
  static ClusterKeys fromStretched(byte[] stretched) {
    byte[] pseudorandomKey = KeyDerivation.extract(null, stretched);
    Arrays.fill(stretched, (byte) 0);
    return new ClusterKeys(
        expand(pseudorandomKey, HEARTBEAT_LABEL),
        expand(pseudorandomKey, REPLICATION_LABEL),
        expand(pseudorandomKey, WITNESS_LABEL));
  }

  private static byte[] expand(byte[] pseudorandomKey, String label) {
    return KeyDerivation.expand(pseudorandomKey, label.getBytes(StandardCharsets.UTF_8), KEY_BYTES);
  }

  /** A copy of the heartbeat MAC key. */
  public byte[] heartbeatKey() {
    return heartbeatKey.clone();
  }

  /** A copy of the replication key (PSK / frame MAC key of the replication channel). */
  public byte[] replicationKey() {
    return replicationKey.clone();
  }

  /** A copy of the key of heartbeats exchanged with the witness. */
  public byte[] witnessKey() {
    return witnessKey.clone();
  }

  /** The witness key as the witness config's {@code witness_key} takes it: 64 hex digits. */
  public String witnessKeyText() {
    return HexFormat.of().formatHex(witnessKey);
  }

  /**
   * The witness key from its text form.
   *
   * @throws IllegalArgumentException unless {@code text} is 64 hex digits
   */
  public static byte[] parseWitnessKey(String text) {
    if (text.length() != 2 * KEY_BYTES) {
      throw new IllegalArgumentException(
          "a witness key is " + 2 * KEY_BYTES + " hex digits, got " + text.length());
    }
    try {
      return HexFormat.of().parseHex(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a witness key is hex digits only (0-9, a-f)");
    }
  }

  @Override
  public String toString() {
    return "ClusterKeys[redacted]";
  }
}
