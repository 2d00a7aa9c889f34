package io.flywall.conntrack;

/**
 * Where connection-state sync reports to: the node turns these into metrics, alarms and history.
 */
public interface SyncObserver {
  /** Alarm names this package raises. */
  String DOWN = "conntrack_sync_down";

  String SILENT = "conntrack_sync_silent";

  /** The event of a conntrackd left running by a killed daemon that was stopped and replaced. */
  String ORPHAN_REPLACED = "conntrackd_orphan_replaced";

  /** A fresh status after each statistics sample or change of state. */
  void status(SyncStatus status);

  void alarm(String name, String detail, boolean raised);

  /** Something that happened once and belongs in the history, e.g. {@link #ORPHAN_REPLACED}. */
  default void event(String name, String detail) {}
}
