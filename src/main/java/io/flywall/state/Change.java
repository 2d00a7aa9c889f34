package io.flywall.state;

import java.util.Arrays;

/**
 * One record of the change log: a put ({@code value} non-null) or a delete ({@code value} null) of
 * one key. {@code seq} is the log position, {@code epoch} the primary's epoch when it was written;
 * replicas keep both unchanged so logs can be compared after a failover.
 */
public record Change(
    long seq,
    long epoch,
    String bucket,
    String key,
    byte[] value,
    long version,
    Hlc hlc,
    String origin,
    long expiresAtMillis) {

  public boolean deleted() {
    return value == null;
  }

  /**
   * At least the bytes this change takes in any encoding the project uses (a frame, a log row): the
   * fixed fields, three bytes per character of the names, the value. Frames are cut by it.
   */
  public long sizeBound() {
    return 64L
        + 3L * (bucket.length() + key.length() + origin.length())
        + (value == null ? 0 : value.length);
  }

  /** The same change at another place in a log (used when a merged write is re-logged). */
  public Change at(long newSeq, long newEpoch, long newVersion) {
    return new Change(
        newSeq, newEpoch, bucket, key, value, newVersion, hlc, origin, expiresAtMillis);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Change c
        && seq == c.seq
        && epoch == c.epoch
        && bucket.equals(c.bucket)
        && key.equals(c.key)
        && Arrays.equals(value, c.value)
        && version == c.version
        && hlc.equals(c.hlc)
        && origin.equals(c.origin)
        && expiresAtMillis == c.expiresAtMillis;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seq) * 31 + key.hashCode();
  }

  @Override
  public String toString() {
    return "Change[#"
        + seq
        + " e"
        + epoch
        + " "
        + (deleted() ? "delete " : "put ")
        + bucket
        + "/"
        + key
        + " v"
        + version
        + " @"
        + hlc
        + " from "
        + origin
        + "]";
  }
}
