package io.flywall.failover;

/**
 * Whether holding the primary role needs a majority of voters; AUTO asks for it from three voters
 * on.
 */
public enum QuorumMode {
  AUTO,
  MAJORITY,
  NONE
}
