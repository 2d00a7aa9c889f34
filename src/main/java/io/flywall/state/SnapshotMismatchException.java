package io.flywall.state;

/** A received snapshot was incomplete or its checksum did not match; nothing was applied. */
public final class SnapshotMismatchException extends Exception {
  public SnapshotMismatchException(String message) {
    super(message);
  }
}
