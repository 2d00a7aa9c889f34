package io.flywall.failover;

import java.time.Instant;

/**
 * The rules the simulated nodes run by: today's ({@link #CURRENT}, the real controller and follow
 * policy exactly as the daemon builds them), or a mutation that puts older rules back to show that
 * the simulation finds the bugs they had ({@link RulesBeforeIssue10}).
 */
record SimulatedRules(Controllers controllers, FollowRules.Factory follow, Start start) {

  /** How a node's loop starts and ticks. */
  enum Start {
    /**
     * Today's daemon: heartbeats go out before the first tick (not healthy until the monitors were
     * judged), ticks start later, and besides the periodic tick one comes at the controller's next
     * deadline.
     */
    HEARTBEATS_FIRST,
    /** The daemon of commit 3581d2d: heartbeats begin with the first tick; periodic ticks only. */
    WITH_FIRST_TICK
  }

  SimulatedRules(Controllers controllers, FollowRules.Factory follow) {
    this(controllers, follow, Start.HEARTBEATS_FIRST);
  }

  /** Builds a node's controller at each start. */
  @FunctionalInterface
  interface Controllers {
    FailoverController create(
        ControllerSettings settings,
        long persistedEpoch,
        boolean persistedStandby,
        Instant startedAt);
  }

  static final SimulatedRules CURRENT =
      new SimulatedRules(FailoverController::new, FollowRules.CURRENT);
}
