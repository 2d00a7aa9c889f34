package io.flywall.replication;

import io.flywall.state.StateStore;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What a replica knows about its stream, for status: the primary, the primary's last reported
 * position and checksum, whether this replica equals it, and the last problem. Reports "caught up"
 * changes to a listener (the failover controller's election needs it).
 */
final class FollowerState {
  private final BiConsumer<Boolean, Long> syncListener;
  private Optional<PrimaryTarget> primary = Optional.empty();
  private String state = "disconnected";
  private String problem;
  private long primaryPosition = -1;
  private long primaryChecksum;
  private Instant lastSync;
  private Boolean reportedInSync;

  FollowerState(BiConsumer<Boolean, Long> syncListener) {
    this.syncListener = syncListener;
  }

  /** A snapshot of the state. */
  record View(
      Optional<PrimaryTarget> primary,
      String state,
      String problem,
      long primaryPosition,
      long primaryChecksum,
      Instant lastSync) {}

  synchronized View view() {
    return new View(primary, state, problem, primaryPosition, primaryChecksum, lastSync);
  }

  /** A new following begins (e.g. after a demotion): the next "in sync" is reported afresh. */
  synchronized void rearm() {
    reportedInSync = null;
  }

  synchronized void connected(PrimaryTarget target) {
    primary = Optional.of(target);
    state = "connected";
  }

  synchronized void disconnected(String why) {
    state = "disconnected";
    problem = why;
  }

  synchronized void problem(String why) {
    state = "error";
    problem = why;
  }

  synchronized void snapshot(long entries) {
    state = "snapshot";
    report(false, 0);
  }

  synchronized void snapshotProgress(long rows) {
    state = "snapshot";
  }

  synchronized void applied(long position, Instant at) {
    lastSync = at;
    state = primaryPosition >= 0 && position < primaryPosition ? "catching_up" : "streaming";
  }

  synchronized void primaryAt(long position, long checksum, StateStore.LogHead mine, Instant at) {
    primaryPosition = position;
    primaryChecksum = checksum;
    lastSync = at;
    if (mine.position() == position) {
      if (mine.checksum() == checksum) {
        state = "in_sync";
        problem = null;
        report(true, position);
      } else {
        state = "error";
        problem =
            "checksum differs from the primary's at the same position; run 'flywall replication resync'";
        report(false, position);
      }
    } else {
      state = "catching_up";
    }
  }

  private void report(boolean inSync, long position) {
    if (reportedInSync == null || reportedInSync != inSync) {
      reportedInSync = inSync;
      syncListener.accept(inSync, position);
    }
  }
}
