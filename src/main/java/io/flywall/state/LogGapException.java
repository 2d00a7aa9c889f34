package io.flywall.state;

/** A batch does not continue this log exactly; the replica must re-negotiate where it stands. */
public final class LogGapException extends Exception {
  public LogGapException(String message) {
    super(message);
  }
}
