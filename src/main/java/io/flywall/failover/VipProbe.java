package io.flywall.failover;

/**
 * The arp_ping partition guard's bookkeeping: at most one probe is outstanding (the node answers
 * every probe it was asked for, and a second one would only queue behind the first and delay the
 * takeover it guards), and after a conflict the backup probes again only on its next tick.
 */
final class VipProbe {
  private boolean outstanding;
  private boolean conflicted;
  // A probe that could not run is asked for again on the next tick, not at once: one that fails
  // fast would otherwise spin between the loop and the runner.
  private boolean failedLast;

  /** Whether to ask for a probe now; {@code tick} is true when the event is a tick. */
  boolean shouldProbe(boolean tick) {
    return !outstanding && ((!conflicted && !failedLast) || tick);
  }

  void requested() {
    outstanding = true;
    failedLast = false;
  }

  /** The probe answered: another MAC still answers for a VIP, or none does. */
  void answered(boolean conflict) {
    outstanding = false;
    conflicted = conflict;
  }

  /** The probe could not run (or was skipped): ask again on the next tick. */
  void failed() {
    outstanding = false;
    failedLast = true;
  }

  /** A takeover or an operator's reset: the last conflict no longer holds this node back. */
  void forgetConflict() {
    conflicted = false;
  }
}
