package io.flywall.state;

/** The state database could not be read or written; the message names the file and the cause. */
public final class StateStoreException extends Exception {
  public StateStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
