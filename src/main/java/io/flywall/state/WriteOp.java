package io.flywall.state;

import java.time.Duration;
import java.util.Optional;

/**
 * One write a service or an API client asks for. Checked when it is made, so a batch that reaches
 * the store can only fail as a whole (a database error), never half-way for a bad operation.
 *
 * @param ttlMillis for a put: how long the entry lives from the commit, 0 for ever
 */
public record WriteOp(Kind kind, String bucket, String key, byte[] value, long ttlMillis) {
  /** Names are at most this many characters. */
  public static final int MAX_NAME = 256;

  /** A value must fit a replication frame with room to spare (frames are at most 16 MiB). */
  public static final int MAX_VALUE_BYTES = 8 * 1024 * 1024;

  /**
   * The longest ttl: ten years. It keeps every expiry a valid, positive time (an unbounded one
   * overflowed into a negative expiry that replicas rejected forever).
   */
  public static final Duration MAX_TTL = Duration.ofDays(3653);

  /**
   * Buckets starting with this are the daemon's own (merge conflicts); clients cannot write them.
   */
  public static final String RESERVED_PREFIX = "flywall.";

  /** What a write does. */
  public enum Kind {
    /** Store the value (a new version). */
    PUT,
    /** Remove the key if it has a live value. */
    DELETE,
    /** Remove the key if its expiry has passed at commit time (the primary's sweep). */
    EXPIRE
  }

  public WriteOp {
    requireName("bucket", bucket);
    requireName("key", key);
    if (kind == Kind.PUT) {
      if (value == null) {
        throw new IllegalArgumentException("a value is required; use delete to remove a key");
      }
      if (value.length > MAX_VALUE_BYTES) {
        throw new IllegalArgumentException(
            "value of "
                + value.length
                + " bytes is larger than the limit of "
                + MAX_VALUE_BYTES
                + " bytes; store large data elsewhere and a reference here");
      }
      if (ttlMillis < 0 || ttlMillis > MAX_TTL.toMillis()) {
        throw new IllegalArgumentException("ttl must be from 1 ms to 10 years");
      }
    } else if (value != null || ttlMillis != 0) {
      throw new IllegalArgumentException(kind + " takes no value and no ttl");
    }
  }

  /** A put, with an optional time to live (1 ms to 10 years). */
  public static WriteOp put(String bucket, String key, byte[] value, Optional<Duration> ttl) {
    long millis = 0;
    if (ttl.isPresent()) {
      Duration t = ttl.get();
      if (t.isNegative() || t.isZero() || t.compareTo(MAX_TTL) > 0) {
        throw new IllegalArgumentException("ttl must be from 1 ms to 10 years, was " + describe(t));
      }
      millis = Math.max(1, t.toMillis());
    }
    return new WriteOp(Kind.PUT, bucket, key, value, millis).requireClientBucket();
  }

  public static WriteOp delete(String bucket, String key) {
    return new WriteOp(Kind.DELETE, bucket, key, null, 0).requireClientBucket();
  }

  static WriteOp expire(String bucket, String key) {
    return new WriteOp(Kind.EXPIRE, bucket, key, null, 0);
  }

  /** Bytes this op adds to a transaction, roughly: what bounds a group commit's size. */
  long sizeBound() {
    return 64L + 3L * (bucket.length() + key.length()) + (value == null ? 0 : value.length);
  }

  /** Refuses writes to the daemon's own buckets, which only the store itself writes. */
  WriteOp requireClientBucket() {
    if (bucket.startsWith(RESERVED_PREFIX)) {
      throw new IllegalArgumentException(
          "bucket '"
              + bucket
              + "' is reserved: names starting with '"
              + RESERVED_PREFIX
              + "' are"
              + " written by the daemon only");
    }
    return this;
  }

  private static String describe(Duration t) {
    // Seconds, not millis: toMillis() itself overflows on the durations this refuses.
    return t.abs().compareTo(Duration.ofSeconds(1)) >= 0
        ? t.getSeconds() + " s"
        : t.toNanos() / 1_000_000 + " ms";
  }

  private static void requireName(String what, String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException(what + " must be 1 to " + MAX_NAME + " characters");
    }
  }
}
