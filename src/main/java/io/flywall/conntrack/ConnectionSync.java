package io.flywall.conntrack;

import java.time.Duration;
import java.util.List;

/**
 * Connection-state sync as the node sees it: started once, asked to take over (commit the peer's
 * connections before the VIPs move) or to release (collect the peer's state again). Neither throws:
 * a failed step is in the returned steps, and failover goes on without state sync.
 */
public interface ConnectionSync extends AutoCloseable {

  void start(SyncObserver observer);

  /**
   * Commits the external cache into the kernel, then flushes and resyncs; the steps for the
   * history.
   */
  List<SyncStep> takeOver();

  /** Goes back to collecting the peer's state after this node stopped being primary. */
  List<SyncStep> release();

  SyncStatus status();

  @Override
  void close();

  /** No {@code conntrack_sync} (or {@code enabled = false}): no steps, nothing to report. */
  static ConnectionSync disabled() {
    return new ConnectionSync() {
      @Override
      public void start(SyncObserver observer) {}

      @Override
      public List<SyncStep> takeOver() {
        return List.of();
      }

      @Override
      public List<SyncStep> release() {
        return List.of();
      }

      @Override
      public SyncStatus status() {
        return SyncStatus.disabled();
      }

      @Override
      public void close() {}
    };
  }

  /**
   * Enabled but unable to run ({@code reason} says why): the alarm is raised at start, and each
   * takeover records a failed commit step, so the operator sees it where failovers are reviewed.
   */
  static ConnectionSync unavailable(String reason) {
    return new ConnectionSync() {
      @Override
      public void start(SyncObserver observer) {
        observer.status(status());
        observer.alarm(SyncObserver.DOWN, reason, true);
      }

      @Override
      public List<SyncStep> takeOver() {
        return List.of(
            new SyncStep(
                ConntrackdSync.COMMIT_STEP,
                Duration.ZERO,
                false,
                "connection-state sync unavailable: " + reason));
      }

      @Override
      public List<SyncStep> release() {
        return List.of();
      }

      @Override
      public SyncStatus status() {
        return SyncStatus.unavailable(reason);
      }

      @Override
      public void close() {}
    };
  }
}
