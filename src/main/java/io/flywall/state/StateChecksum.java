package io.flywall.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An order-independent checksum over all live entries: the XOR of a 64-bit digest of each. XOR lets
 * a write update it in O(1) (remove the old entry's digest, add the new one), and two nodes holding
 * the same entries compute the same value whatever order they applied them in.
 */
public final class StateChecksum {
  private StateChecksum() {}

  /** The digest of one entry; the checksum of a store is the XOR of these. */
  public static long digest(
      String bucket,
      String key,
      byte[] value,
      long version,
      long hlc,
      String origin,
      long expiresAtMillis) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE ships SHA-256", e);
    }
    field(sha, bucket.getBytes(StandardCharsets.UTF_8));
    field(sha, key.getBytes(StandardCharsets.UTF_8));
    field(sha, value);
    sha.update(
        ByteBuffer.allocate(24).putLong(version).putLong(hlc).putLong(expiresAtMillis).array());
    field(sha, origin.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(sha.digest()).getLong();
  }

  public static long digest(Entry e) {
    return digest(
        e.bucket(),
        e.key(),
        e.value(),
        e.version(),
        e.hlc().value(),
        e.origin(),
        e.expiresAtMillis());
  }

  /** Sixteen hex digits, as shown in status. */
  public static String format(long checksum) {
    return String.format("%016x", checksum);
  }

  private static void field(MessageDigest sha, byte[] bytes) {
    sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    sha.update(bytes);
  }
}
