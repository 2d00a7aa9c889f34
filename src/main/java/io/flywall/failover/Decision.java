package io.flywall.failover;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The outcome of one step: actions to execute in order, and the answer to an operator command. */
public record Decision(List<Action> actions, Optional<CommandReply> reply) {
  public Decision {
    actions = List.copyOf(actions);
    Objects.requireNonNull(reply, "reply");
  }
}
