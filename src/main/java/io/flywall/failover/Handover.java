package io.flywall.failover;

import java.util.Objects;

/**
 * A releasing primary's instruction: {@code target} should promote now, past primary epoch {@code
 * epoch}.
 */
public record Handover(String target, long epoch) {
  public Handover {
    Objects.requireNonNull(target, "target");
  }
}
