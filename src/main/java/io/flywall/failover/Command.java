package io.flywall.failover;

import java.util.Objects;
import java.util.Optional;

/** Operator commands, as given by the CLI or the HTTP API. */
public sealed interface Command {

  /** Planned handover from the primary to {@code target}, or to the best eligible peer. */
  record Failover(Optional<String> target) implements Command {
    public Failover {
      Objects.requireNonNull(target, "target");
    }
  }

  /** Cluster-wide: arms (MANUAL) or resumes/suspends (AUTO) automatic failback. */
  record SetFailback(boolean enabled) implements Command {}

  record Promote(boolean force) implements Command {}

  record Reset() implements Command {}

  /**
   * Maintenance: {@code on} makes this node ineligible (a primary hands its role over first) until
   * a Standby(false); the node persists the choice across restarts.
   */
  record Standby(boolean on) implements Command {}

  /**
   * Standby ({@code on}) or unstandby of {@code node}, asked on this node: another node gets it
   * through this node's heartbeats and applies and persists it itself; this node's own is {@link
   * Standby}.
   */
  record StandbyOf(String node, boolean on) implements Command {
    public StandbyOf {
      Objects.requireNonNull(node, "node");
    }
  }
}
