package io.flywall.cluster;

import java.nio.charset.StandardCharsets;

/**
 * The keys derived from the cluster's {@code secret_key}: one authenticates heartbeats, the other
 * is for the replication channel. Distinct HKDF labels keep them independent. Never printed: {@link
 * #toString()} is redacted.
 */
public final class ClusterKeys {

  public static final String HEARTBEAT_LABEL = "flywall heartbeat v1";
  public static final String REPLICATION_LABEL = "flywall replication v1";
  public static final int KEY_BYTES = 32;

  private final byte[] heartbeatKey;
  private final byte[] replicationKey;

  private ClusterKeys(byte[] heartbeatKey, byte[] replicationKey) {
    this.heartbeatKey = heartbeatKey;
    this.replicationKey = replicationKey;
  }

  /** Derives both keys from the shared secret (no salt: the labels alone separate purposes). */
  public static ClusterKeys fromSecret(byte[] secret) {
    if (secret == null || secret.length == 0) {
      throw new IllegalArgumentException("the cluster secret must not be empty");
    }
    byte[] pseudorandomKey = KeyDerivation.extract(null, secret);
    return new ClusterKeys(
        KeyDerivation.expand(
            pseudorandomKey, HEARTBEAT_LABEL.getBytes(StandardCharsets.UTF_8), KEY_BYTES),
        KeyDerivation.expand(
            pseudorandomKey, REPLICATION_LABEL.getBytes(StandardCharsets.UTF_8), KEY_BYTES));
  }

  public static ClusterKeys fromSecret(String secret) {
    return fromSecret(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** A copy of the heartbeat MAC key. */
  public byte[] heartbeatKey() {
    return heartbeatKey.clone();
  }

  /** A copy of the replication key (PSK / frame MAC key of the replication channel). */
  public byte[] replicationKey() {
    return replicationKey.clone();
  }

  @Override
  public String toString() {
    return "ClusterKeys[redacted]";
  }
}
