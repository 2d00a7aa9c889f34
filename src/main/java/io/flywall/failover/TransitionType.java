package io.flywall.failover;

import java.util.Locale;

/** What kind of entry a {@link Transition} is; its {@link #label()} is what history shows. */
public enum TransitionType {
  /** A backup became primary: elected, or by a planned handover. */
  TAKEOVER,
  /** A primary gave up its VIPs: lost quorum. */
  RELEASE,
  /** A primary stepped down for a newer or preferred primary. */
  DEMOTE,
  /** A primary handed the role back to the preferred node. */
  FAILBACK,
  /** A primary handed the role over on an operator's request. */
  HANDOVER,
  FAULT,
  RECOVER,
  PROMOTE,
  RESET,
  /** The startup hold ended. */
  STARTUP,
  /** A primary raised its epoch so a rival primary at the same epoch steps down. */
  REASSERT,
  SPLIT_BRAIN_RISK,
  FAILBACK_SETTING,
  HANDOVER_ABANDONED,
  SCRIPT_FAILED,
  ACTION_FAILED,
  /** An operator put the node in standby (ineligible), or took it out again. */
  STANDBY,
  UNSTANDBY,
  /** The config was reloaded (or a reload was refused): what changed, or why nothing did. */
  RELOAD,
  /** The node was frozen (SIGSTOP, VM pause) longer than failure_timeout and resumed. */
  PAUSED;

  /** The lower-case name used in history, metrics, scripts' argv and the API. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
