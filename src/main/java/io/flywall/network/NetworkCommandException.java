package io.flywall.network;

/**
 * An OS network command failed in a way the caller must know about; the message says which and why.
 */
public class NetworkCommandException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public NetworkCommandException(String message) {
    super(message);
  }

  static NetworkCommandException of(String what, CommandResult result) {
    return new NetworkCommandException(what + ": " + result.describe());
  }
}
