package io.flywall.api;

/**
 * A replication or state request that cannot be served, with the HTTP status and stable code to
 * answer.
 */
public final class StateApiException extends RuntimeException {
  private final int status;
  private final String code;

  public StateApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
