package io.flywall.replication;

/**
 * The peer could not prove it knows the cluster secret (or we could not): the connection is
 * refused.
 */
public final class AuthenticationException extends Exception {
  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
