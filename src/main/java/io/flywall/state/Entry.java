package io.flywall.state;

import java.util.Arrays;
import java.util.Optional;

/**
 * One live value of a bucket. {@code expiresAtMillis} is 0 for "never".
 *
 * @param version increases by one with every write of this key on the primary
 */
public record Entry(
    String bucket,
    String key,
    byte[] value,
    long version,
    Hlc hlc,
    String origin,
    long expiresAtMillis) {

  public Optional<Long> expiry() {
    return expiresAtMillis == 0 ? Optional.empty() : Optional.of(expiresAtMillis);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Entry e
        && bucket.equals(e.bucket)
        && key.equals(e.key)
        && Arrays.equals(value, e.value)
        && version == e.version
        && hlc.equals(e.hlc)
        && origin.equals(e.origin)
        && expiresAtMillis == e.expiresAtMillis;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * bucket.hashCode() + key.hashCode()) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Entry["
        + bucket
        + "/"
        + key
        + " v"
        + version
        + " @"
        + hlc
        + " from "
        + origin
        + ", "
        + value.length
        + " bytes]";
  }
}
