package io.flywall.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * An order-independent checksum over all live entries: the XOR of a 64-bit digest of each. XOR lets
 * a write update it in O(1) (remove the old entry's digest, add the new one), and two nodes holding
 * the same entries compute the same value whatever order they applied them in.
 */
public final class StateChecksum {
  // One digest per thread, reused: creating one costs more than hashing a small entry.
  private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

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
    return HASHER.get().digest(bucket, key, value, version, hlc, origin, expiresAtMillis);
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

  /** SHA-256 over length-prefixed fields, truncated to its first 8 bytes (big-endian). */
  private static final class Hasher {
    private final MessageDigest sha;
    private final byte[] scratch = new byte[24];

    Hasher() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JRE ships SHA-256", e);
      }
    }

    long digest(
        String bucket,
        String key,
        byte[] value,
        long version,
        long hlc,
        String origin,
        long expiresAtMillis) {
      field(bucket.getBytes(StandardCharsets.UTF_8));
      field(key.getBytes(StandardCharsets.UTF_8));
      field(value);
      putLong(0, version);
      putLong(8, hlc);
      putLong(16, expiresAtMillis);
      sha.update(scratch, 0, 24);
      field(origin.getBytes(StandardCharsets.UTF_8));
      byte[] d = sha.digest();
      long out = 0;
      for (int i = 0; i < 8; i++) {
        out = (out << 8) | (d[i] & 0xff);
      }
      return out;
    }

    private void field(byte[] bytes) {
      int n = bytes.length;
      scratch[0] = (byte) (n >>> 24);
      scratch[1] = (byte) (n >>> 16);
      scratch[2] = (byte) (n >>> 8);
      scratch[3] = (byte) n;
      sha.update(scratch, 0, 4);
      sha.update(bytes);
    }

    private void putLong(int at, long v) {
      for (int i = 7; i >= 0; i--) {
        scratch[at + i] = (byte) v;
        v >>>= 8;
      }
    }
  }
}
