package io.flywall.chaos;

/**
 * The limits the checkers hold a run to, derived from the cluster's timing the way the simulation's
 * invariants derive theirs, plus allowances for real processes on a shared machine.
 *
 * @param fencingMs longest time two answering daemons may both hold the VIP: a node cut off keeps a
 *     stale majority for one failure_timeout, then releases behind at most one running step
 * @param convergenceMs longest time from a heal (or from the first answer of a daemon restarted at
 *     the heal; JVM start time depends on the machine's load) to one primary that is the preferred
 *     node
 * @param unplannedOutageMs a client's longest gap for an unplanned fault: failure_timeout + the
 *     probe window + the takeover
 */
record Bounds(
    long fencingMs, long convergenceMs, long unplannedOutageMs, int maxThreads, long maxRssKb) {

  /** What a real takeover may take on two busy cores: epoch fsync, steps, GARP. */
  static final long TAKEOVER_ALLOWANCE_MS = 1_000;

  /** Between a daemon's first API answer and its first heartbeats being heard, and poll gaps. */
  static final long START_ALLOWANCE_MS = 5_000;

  /** A node restarted at the heal catching up before failback (snapshot or changes). */
  static final long CATCH_UP_ALLOWANCE_MS = 5_000;

  /** Scheduling slack of real threads and of the recorders' own polling. */
  static final long SLACK_MS = 500;

  static Bounds of(
      long heartbeatIntervalMs, int failureThreshold, long startupHoldMs, long failbackDelayMs) {
    long failureTimeout = heartbeatIntervalMs * failureThreshold;
    long probe = Math.max(50, heartbeatIntervalMs);
    long fencing = failureTimeout + 2 * heartbeatIntervalMs + probe + SLACK_MS;
    long convergence =
        3 * failureTimeout
            + startupHoldMs
            + 2 * heartbeatIntervalMs
            + START_ALLOWANCE_MS
            + CATCH_UP_ALLOWANCE_MS
            + probe
            + failbackDelayMs;
    long outage = failureTimeout + probe + TAKEOVER_ALLOWANCE_MS;
    return new Bounds(fencing, convergence, outage, 100, 320 * 1024);
  }
}
