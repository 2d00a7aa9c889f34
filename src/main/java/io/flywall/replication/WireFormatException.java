package io.flywall.replication;

/** Bytes from the peer are not a valid frame or message: corrupt, truncated, forged or replayed. */
public final class WireFormatException extends Exception {
  public WireFormatException(String message) {
    super(message);
  }
}
