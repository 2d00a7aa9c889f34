package io.flywall.state;

import java.time.Instant;
import java.util.List;

/** One recorded transition: what happened, why, and how long each step of it took. */
public record HistoryEvent(
    long id,
    Instant time,
    String type,
    String fromRole,
    String toRole,
    String nodeId,
    long epoch,
    String cause,
    long durationMs,
    List<Step> steps) {

  public HistoryEvent {
    steps = List.copyOf(steps);
  }

  /**
   * A step of a transition (persist epoch, add VIPs, a script ...) and whether it succeeded; {@code
   * skipped} when it did not run (or was stopped) because the role changed before it was due.
   */
  public record Step(String name, long durationMs, boolean ok, boolean skipped) {
    public Step(String name, long durationMs, boolean ok) {
      this(name, durationMs, ok, false);
    }
  }
}
