package io.flywall.chaos;

/** What the nemesis can do to a node, and how long the client may suffer for it. */
enum FaultKind {
  /** Links down, daemon killed, VIPs gone; at the heal links up and the daemon started. */
  POWER_OFF(Budget.UNPLANNED, 5_000, 15_000),
  /** SIGSTOP of the daemon; SIGCONT at the heal. */
  FREEZE(Budget.UNPLANNED, 2_000, 8_000),
  /** kill -9 of the daemon alone (the host and its kernel state stay); restarted at the heal. */
  KILL_RESTART(Budget.UNPLANNED, 2_000, 6_000),
  /** Everything on the node's sync link dropped both ways. */
  SYNC_CUT_BOTH(Budget.UNPLANNED, 3_000, 10_000),
  /** Everything on the node's sync link dropped in one direction (the param: in or out). */
  SYNC_CUT_ONE_WAY(Budget.UNPLANNED, 3_000, 10_000),
  /** A share of the node's sync traffic dropped both ways (the param: percent). */
  SYNC_LOSS(Budget.UNPLANNED, 5_000, 15_000),
  /** The node's LAN link (monitored) loses carrier: its bridge port goes down. */
  LINK_CARRIER(Budget.UNPLANNED, 3_000, 8_000),
  /**
   * An operator suspends failback and hands the role to the node ({@code ha failback disable},
   * {@code ha failover --to}); at the heal re-enables failback so the preferred node reclaims.
   */
  PLANNED_FAILOVER(Budget.NO_LOSS, 4_000, 8_000),
  /** {@code flywall replication resync} on the node (a replica drops its copy). */
  RESYNC(Budget.NO_LOSS, 0, 0),
  /** The node's conntrackd is killed; its daemon restarts it. */
  CONNTRACKD_RESTART(Budget.NO_LOSS, 0, 0);

  /** The client-side budget a fault of this kind is held to when it ran alone. */
  enum Budget {
    /** failure_timeout + probe window + takeover allowance. */
    UNPLANNED,
    /** Not one probe lost. */
    NO_LOSS
  }

  final Budget budget;
  final long minMs;
  final long maxMs;

  FaultKind(Budget budget, long minMs, long maxMs) {
    this.budget = budget;
    this.minMs = minMs;
    this.maxMs = maxMs;
  }

  /** Whether the fault lasts (and has a heal step) or is a single action. */
  boolean lasting() {
    return maxMs > 0;
  }

  /** Whether it takes the node's daemon away, so a second one at once could leave no quorum. */
  boolean removesNode() {
    return this == POWER_OFF || this == FREEZE || this == KILL_RESTART;
  }
}
