package io.flywall.failover;

import java.time.Instant;
import java.util.Optional;

/**
 * The arp_ping partition guard's bookkeeping (DESIGN 4 and 10.2).
 *
 * <p>While a backup that would claim misses the primary's heartbeats, the node keeps probing the
 * LAN ({@link Action.StartProbe} until {@link Action.StopProbe}), so that the verdict asked for at
 * failure_timeout ({@link Action.ProbeVips}) is ready at once, or within one probe window.
 *
 * <p>A verdict counts only requests sent at or after {@link #since}: the last heartbeat heard from
 * a primary (an answer it gave before it died must not block the takeover), or the last answer of
 * the last conflicting verdict (a primary that answered between its last heartbeat and its death
 * would otherwise block every later verdict; a holder that is really there answers the next request
 * again). Counting from the last answer rather than from when the verdict came lets the requests
 * sent in between count: a primary whose LAN link outlived its sync link by a few milliseconds then
 * costs the takeover those milliseconds, not a whole new window (45 ms at 30 ms in the failover
 * benchmark). When the probe does not say when the answer came, the verdict's instant is used.
 *
 * <p>At most one verdict is outstanding (the node answers every one it was asked for, and a second
 * would only queue behind the first), and after a conflict the backup asks again only on its next
 * tick.
 */
final class VipProbe {
  private final Instant startedAt;
  private boolean outstanding;
  private boolean conflicted;
  // A verdict that could not be had is asked for again on the next tick, not at once: one that
  // fails fast would otherwise spin between the loop and the runner.
  private boolean failedLast;
  private boolean probing;
  private Instant conflictAt;

  /** {@code startedAt}: when the controller was built; nothing before it can count. */
  VipProbe(Instant startedAt) {
    this.startedAt = startedAt;
  }

  /** Whether to ask for a verdict now; {@code tick} is true when the event is a tick. */
  boolean shouldProbe(boolean tick) {
    return !outstanding && ((!conflicted && !failedLast) || tick);
  }

  /**
   * The instant from which requests count, given when a primary was last heard (if ever).
   *
   * <p>Later of: the controller's start, the last heartbeat from a primary, the last conflict.
   */
  Instant since(Optional<Instant> lastHeardPrimary) {
    Instant since = startedAt;
    if (lastHeardPrimary.isPresent() && lastHeardPrimary.get().isAfter(since)) {
      since = lastHeardPrimary.get();
    }
    if (conflictAt != null && conflictAt.isAfter(since)) {
      since = conflictAt;
    }
    return since;
  }

  void requested() {
    outstanding = true;
    failedLast = false;
  }

  /**
   * The verdict came at {@code now}: another MAC still answers for a VIP (last at {@code
   * lastAnswerAt}, if known), or none does.
   */
  void answered(boolean conflict, Optional<Instant> lastAnswerAt, Instant now) {
    outstanding = false;
    conflicted = conflict;
    if (conflict) {
      // An answer "from the future" (clocks of other threads) counts from now: never later.
      conflictAt = lastAnswerAt.filter(at -> at.isBefore(now)).orElse(now);
    }
  }

  /** The verdict could not be had (or was skipped): ask again on the next tick. */
  void failed() {
    outstanding = false;
    failedLast = true;
  }

  /** A takeover or an operator's reset: the last conflict no longer holds this node back. */
  void forgetConflict() {
    conflicted = false;
  }

  /** Whether the node was told to keep probing. */
  boolean probing() {
    return probing;
  }

  /** The action that makes the node probe ({@code wanted}) or stop, if that is a change. */
  Optional<Action> want(boolean wanted) {
    if (wanted == probing) {
      return Optional.empty();
    }
    probing = wanted;
    return Optional.of(wanted ? new Action.StartProbe() : new Action.StopProbe());
  }
}
