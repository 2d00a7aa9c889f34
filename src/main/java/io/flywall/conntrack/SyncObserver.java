package io.flywall.conntrack;

/**
 * Where connection-state sync reports to: the node turns these into metrics, alarms and history.
 */
public interface SyncObserver {
  /** Alarm names this package raises. */
  String DOWN = "conntrack_sync_down";

  String SILENT = "conntrack_sync_silent";

  /** A fresh status after each statistics sample or change of state. */
  void status(SyncStatus status);

  void alarm(String name, String detail, boolean raised);
}
