package io.flywall.state;

import java.util.Optional;

/**
 * A write reached a node that is not the primary; the caller should send it to {@link #primary()}.
 */
public final class NotPrimaryException extends Exception {
  private final Optional<String> primary;

  public NotPrimaryException(Optional<String> primary) {
    super(
        primary
            .map(p -> "this node is not the primary; write to the primary " + p)
            .orElse(
                "this node is not the primary and no primary is known; retry once one is elected"));
    this.primary = primary;
  }

  public Optional<String> primary() {
    return primary;
  }
}
