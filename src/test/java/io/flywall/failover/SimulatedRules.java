package io.flywall.failover;

import java.time.Instant;

/**
 * The rules the simulated nodes run by: today's ({@link #CURRENT}, the real controller and follow
 * policy exactly as the daemon builds them), or a mutation that puts older rules back to show that
 * the simulation finds the bugs they had ({@link RulesBeforeIssue10}).
 */
record SimulatedRules(Controllers controllers, FollowRules.Factory follow) {

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
