package io.flywall.node;

import io.flywall.failover.Action;

/**
 * The failover scripts as the last reload configured them. A script already running finishes with
 * the settings it started with; the next one uses the new.
 */
final class ReplaceableScripts implements FailoverScripts {
  private volatile FailoverScripts current;

  ReplaceableScripts(FailoverScripts initial) {
    this.current = initial;
  }

  void replace(FailoverScripts next) {
    current = next;
  }

  @Override
  public Outcome run(Action.RunScript script) {
    return current.run(script);
  }
}
