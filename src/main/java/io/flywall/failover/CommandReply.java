package io.flywall.failover;

import java.util.Objects;
import java.util.Optional;

/**
 * The controller's answer to an operator command. A rejection is a conflict with the cluster's
 * state (HTTP 409), never a malformed request; {@code from}/{@code to} name the nodes of a
 * failover.
 */
public record CommandReply(
    boolean accepted, String message, Optional<String> from, Optional<String> to) {
  public CommandReply {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
  }

  public static CommandReply accepted(String message) {
    return new CommandReply(true, message, Optional.empty(), Optional.empty());
  }

  public static CommandReply rejected(String message) {
    return new CommandReply(false, message, Optional.empty(), Optional.empty());
  }
}
