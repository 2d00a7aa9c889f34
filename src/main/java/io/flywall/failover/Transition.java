package io.flywall.failover;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the failover history.
 *
 * @param cause what an operator needs to know: which peer went silent, which monitor failed, which
 *     command was given
 */
public record Transition(
    TransitionType type, Role fromRole, Role toRole, long epoch, String cause, Instant time) {
  public Transition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(fromRole, "fromRole");
    Objects.requireNonNull(toRole, "toRole");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(time, "time");
  }
}
