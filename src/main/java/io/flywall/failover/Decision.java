package io.flywall.failover;

import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one step: actions to execute in order, the answer to an operator command, and for
 * each action the role generation it was planned for (the generation grows with every takeover and
 * release, and one step may plan both, e.g. a promote followed at once by a failback; see {@link
 * StepQueue} for what the node does with it).
 */
public record Decision(List<Action> actions, Optional<CommandReply> reply, List<Long> generations) {
  public Decision {
    actions = List.copyOf(actions);
    Objects.requireNonNull(reply, "reply");
    generations = List.copyOf(generations);
    if (generations.size() != actions.size()) {
      throw new IllegalArgumentException("one generation per action");
    }
  }

  /** Every action planned for the same generation. */
  public Decision(List<Action> actions, Optional<CommandReply> reply, long generation) {
    this(actions, reply, Collections.nCopies(actions.size(), generation));
  }

  /** The newest generation planned in this decision, or -1 if it has no action. */
  public long generation() {
    return generations.isEmpty() ? -1 : generations.get(generations.size() - 1);
  }
}
