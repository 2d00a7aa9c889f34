package io.flywall.replication;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What a replica decides about its stream, with no I/O of its own (the follower thread and the
 * simulation both drive it): whom to follow (the primary the failover controller names), when to
 * drop a stream (the primary changed, or no frame came for the silence limit), and what to report.
 *
 * <p>Two answers to "in sync", on purpose. The status {@code sync_state} is {@code in_sync} only
 * while this replica streams from the current primary and equals its last reported position and
 * checksum. The flag told to the controller ({@code caughtUp}: election eligibility, carried in
 * heartbeats) means "holds everything the primary it follows has sent": a stream that goes silent
 * keeps it, so that the replicas of a primary that just died stay eligible, but a new primary
 * clears it until this replica has caught up with that one.
 */
public final class FollowPolicy {

  /** A silent stream is closed after this long: 3 x sync_interval, at least one second. */
  public static Duration silenceLimit(Duration syncInterval) {
    Duration three = syncInterval.multipliedBy(3);
    return three.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : three;
  }

  /**
   * A snapshot of the state, for status.
   *
   * @param failure the last error of the stream (refused, corrupt, cannot apply, checksum differs)
   *     while it has not worked since: kept through the reconnects of the retry, so the alarm it
   *     raises does not blink off between two failed attempts; null once the replica is in sync
   *     again or follows another primary
   */
  public record View(
      Optional<PrimaryTarget> primary,
      String state,
      String problem,
      long primaryPosition,
      long primaryChecksum,
      Instant lastSync,
      String failure) {}

  private final Duration silenceLimit;
  private final BiConsumer<Boolean, Long> caughtUpListener;
  // The primary the controller names now, and the one the current (or last) stream came from.
  private Optional<PrimaryTarget> current = Optional.empty();
  private Optional<PrimaryTarget> following = Optional.empty();
  private boolean connected;
  private Instant lastFrame;
  private String state = "disconnected";
  private String problem;
  private String failure;
  private long primaryPosition = -1;
  private long primaryChecksum;
  private Instant lastSync;
  private Boolean reportedCaughtUp;

  /**
   * @param caughtUpListener told (caught up?, position) whenever the controller's flag changes
   */
  public FollowPolicy(Duration silenceLimit, BiConsumer<Boolean, Long> caughtUpListener) {
    this.silenceLimit = Objects.requireNonNull(silenceLimit, "silenceLimit");
    this.caughtUpListener = Objects.requireNonNull(caughtUpListener, "caughtUpListener");
  }

  public Duration silenceLimit() {
    return silenceLimit;
  }

  /**
   * The primary the controller names now (empty: none alive). True if the stream in hand comes from
   * another node and must be dropped; this replica is then no longer caught up.
   */
  public synchronized boolean primaryIs(Optional<PrimaryTarget> primary) {
    Objects.requireNonNull(primary, "primary");
    current = primary;
    if (primary.isEmpty() || following.isEmpty() || following.equals(primary)) {
      // No primary known: keep what we have; it streams on or falls silent and is closed.
      return false;
    }
    String old = following.get().nodeId();
    following = Optional.empty();
    primaryPosition = -1;
    state = "disconnected";
    problem = "the primary changed from " + old + " to " + primary.get().nodeId();
    failure = null;
    report(false, 0);
    return connected;
  }

  /** Whom to connect to now: the current primary, if one is known. */
  public synchronized Optional<PrimaryTarget> target() {
    return current;
  }

  /** Whether a stream from {@code target} is still the one to have. */
  public synchronized boolean wants(PrimaryTarget target) {
    return current.isPresent() && current.get().equals(target);
  }

  public synchronized void connected(PrimaryTarget target, Instant now) {
    if (following.isPresent() && !following.get().equals(target)) {
      primaryPosition = -1;
      report(false, 0);
    }
    following = Optional.of(target);
    connected = true;
    lastFrame = now;
    state = "connected";
  }

  /** Any frame arrived: the stream is alive. */
  public synchronized void heard(Instant now) {
    lastFrame = now;
  }

  /** True when the stream in hand has been silent for the silence limit and must be closed. */
  public synchronized boolean silent(Instant now) {
    return connected && !now.isBefore(lastFrame.plus(silenceLimit));
  }

  /** Why the stream is closed when it fell silent. */
  public String silenceProblem() {
    return "no frame from the primary for "
        + silenceLimit.toMillis()
        + " ms (3 x sync_interval, at least 1 s); stream closed";
  }

  /** The stream ended (closed by either side, silent, or never established). */
  public synchronized void closed(String why) {
    connected = false;
    state = "disconnected";
    problem = why;
  }

  /**
   * The stream in hand is gone; what status shows was set by {@link #closed} or {@link #problem}.
   */
  public synchronized void ended() {
    connected = false;
  }

  /** The stream failed in a way an operator should see (refused, corrupt, cannot apply). */
  public synchronized void problem(String why) {
    state = "error";
    problem = why;
    failure = why;
  }

  public synchronized void snapshot(long entries) {
    state = "snapshot";
    report(false, 0);
  }

  public synchronized void snapshotProgress(long rows) {
    state = "snapshot";
  }

  public synchronized void applied(long position, Instant at) {
    lastSync = at;
    lastFrame = at;
    state = primaryPosition >= 0 && position < primaryPosition ? "catching_up" : "streaming";
  }

  /** The primary reported its position and checksum; {@code mine} is this replica's head. */
  public synchronized void primaryAt(
      long position, long checksum, long myPosition, long myChecksum, Instant at) {
    primaryPosition = position;
    primaryChecksum = checksum;
    lastSync = at;
    lastFrame = at;
    if (myPosition == position) {
      if (myChecksum == checksum) {
        state = "in_sync";
        problem = null;
        failure = null;
        report(true, position);
      } else {
        state = "error";
        problem =
            "checksum differs from the primary's at the same position; run 'flywall replication"
                + " resync'";
        failure = problem;
        report(false, position);
      }
    } else {
      state = "catching_up";
    }
  }

  /** A new following begins (after a demotion): the next "caught up" is reported afresh. */
  public synchronized void rearm() {
    reportedCaughtUp = null;
  }

  public synchronized boolean caughtUp() {
    return Boolean.TRUE.equals(reportedCaughtUp);
  }

  /** The status sync_state: in_sync only while streaming from the current primary, caught up. */
  public synchronized String syncState() {
    return state;
  }

  /** The node the stream in hand (or the last one) came from. */
  public synchronized Optional<PrimaryTarget> following() {
    return following;
  }

  public synchronized View view() {
    return new View(
        following.or(() -> current),
        state,
        problem,
        primaryPosition,
        primaryChecksum,
        lastSync,
        failure);
  }

  private void report(boolean caughtUp, long position) {
    if (reportedCaughtUp == null || reportedCaughtUp != caughtUp) {
      reportedCaughtUp = caughtUp;
      caughtUpListener.accept(caughtUp, position);
    }
  }
}
