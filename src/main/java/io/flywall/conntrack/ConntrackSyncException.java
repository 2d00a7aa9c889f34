package io.flywall.conntrack;

/** Connection-state sync cannot run as configured; the message says why and what to change. */
public final class ConntrackSyncException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConntrackSyncException(String message) {
    super(message);
  }
}
