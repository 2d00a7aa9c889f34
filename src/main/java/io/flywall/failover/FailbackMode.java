package io.flywall.failover;

/** How the preferred node gets the primary role back once it is healthy again. */
public enum FailbackMode {
  AUTO,
  MANUAL,
  DISABLED
}
