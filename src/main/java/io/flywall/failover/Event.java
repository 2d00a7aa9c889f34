package io.flywall.failover;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Everything the controller reacts to; each is stepped together with the instant it happened. */
public sealed interface Event {

  /**
   * Time passed; the node steps one every heartbeat interval / 4, from the moment it starts sending
   * heartbeats (before the first tick nobody hears this node, so it claims nothing).
   */
  record Tick() implements Event {}

  record HeartbeatReceived(PeerHeartbeat hb) implements Event {
    public HeartbeatReceived {
      Objects.requireNonNull(hb, "hb");
    }
  }

  /** The link and gateway monitors' combined verdict changed; {@code cause} names the monitor. */
  record HealthChanged(boolean healthy, String cause) implements Event {
    public HealthChanged {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** The local replica caught up ({@code inSync}) or fell behind the primary. */
  record ReplicationChanged(boolean inSync, long position) implements Event {}

  record OperatorCommand(Command c) implements Event {
    public OperatorCommand {
      Objects.requireNonNull(c, "c");
    }
  }

  /**
   * Answer to {@link Action.ProbeVips}: {@code conflict} when another MAC answers for a VIP, and
   * when it last answered if the probe knows ({@code lastAnswerAt}: the next verdict then counts
   * requests from that instant, not from this event's). The node answers every probe it was asked
   * for, or reports it failed ({@link ActionFailed}).
   */
  record ProbeFinished(boolean conflict, String detail, Optional<Instant> lastAnswerAt)
      implements Event {
    public ProbeFinished {
      Objects.requireNonNull(detail, "detail");
      Objects.requireNonNull(lastAnswerAt, "lastAnswerAt");
    }

    /** A verdict that does not say when the last answer came. */
    public ProbeFinished(boolean conflict, String detail) {
      this(conflict, detail, Optional.empty());
    }
  }

  /**
   * The operator reloaded the config: {@code next} holds the settings that take effect now (empty
   * when the reload was refused or changed nothing the controller uses); {@code outcome} says what
   * changed or why nothing did, for the history.
   */
  record Reload(java.util.Optional<ControllerSettings> next, String outcome) implements Event {
    public Reload {
      Objects.requireNonNull(next, "next");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** The node could not carry out {@code action}. */
  record ActionFailed(Action action, String detail) implements Event {
    public ActionFailed {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
