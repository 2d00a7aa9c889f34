package io.flywall.node;

import io.flywall.failover.Action;

/** Runs the configured pre/post failover script for an action, if one is configured. */
public interface FailoverScripts {
  Outcome run(Action.RunScript script);

  /** {@code ran} is false when no script is configured for the phase. */
  record Outcome(boolean ran, boolean ok, String detail) {
    static final Outcome NOT_CONFIGURED = new Outcome(false, true, "no script configured");
  }

  static FailoverScripts none() {
    return script -> Outcome.NOT_CONFIGURED;
  }
}
