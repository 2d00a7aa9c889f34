package io.flywall.failover;

import io.flywall.replication.PrimaryTarget;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The rules of commit 3581d2d that issue #10 filed bugs against, re-created as mutations the
 * simulation runs with ({@code Section10_SimulationProofTest}): only the rule each bug came from is
 * old, the rest of the node is today's.
 */
final class RulesBeforeIssue10 {

  private RulesBeforeIssue10() {}

  /**
   * Bug (1), a staggered cold start elects a less preferred node: a peer whose heartbeat says it
   * has no quorum never competes (3581d2d {@code Election.competingPeers}: {@code !hb.hasQuorum()}
   * excluded it at once, however stale the flag). The flag stayed stale for seconds because that
   * daemon sent its first heartbeat with its first tick: a node heard its peers long before they
   * heard it. Today's daemon sends heartbeats before its first tick, which leaves a stale flag a
   * heartbeat interval at most, and the simulation's 1,000 schedules of base seed 0 no longer reach
   * the bug with today's start; so this mutation starts its nodes as 3581d2d did.
   */
  static final SimulatedRules ELECTION =
      new SimulatedRules(
          (settings, epoch, standby, startedAt) ->
              new FailoverController(
                  settings, epoch, standby, startedAt, (peer, now, running) -> false),
          FollowRules.CURRENT,
          SimulatedRules.Start.WITH_FIRST_TICK);

  /**
   * Bug (2), a replica never leaves a dead primary: the follower of 3581d2d ({@code ReplicaStream}
   * with {@code FollowerState}).
   */
  static final SimulatedRules FOLLOWING =
      new SimulatedRules(
          SimulatedRules.CURRENT.controllers(), (silence, caughtUp) -> new Following(caughtUp));

  /**
   * The old follower: it asked whom to follow only when it (re)connected, never dropped the stream
   * in hand for a new primary, read without a timeout (a primary that lost power held it forever),
   * and told the controller "caught up" until a position from some primary disagreed: neither a
   * closed stream nor a stream from another primary cleared it.
   */
  static final class Following implements FollowRules {
    private final BiConsumer<Boolean, Long> caughtUpListener;
    private Optional<PrimaryTarget> current = Optional.empty();
    private String state = "disconnected";
    private String problem;
    private Boolean reportedCaughtUp;

    Following(BiConsumer<Boolean, Long> caughtUpListener) {
      this.caughtUpListener = caughtUpListener;
    }

    @Override
    public boolean primaryIs(Optional<PrimaryTarget> primary) {
      // Read by the follower's loop before each connect; the stream in hand was never dropped.
      current = primary;
      return false;
    }

    @Override
    public Optional<PrimaryTarget> target() {
      return current;
    }

    @Override
    public boolean wants(PrimaryTarget target) {
      return true;
    }

    @Override
    public void connected(PrimaryTarget target, Instant now) {
      state = "connected";
    }

    @Override
    public void heard(Instant now) {}

    @Override
    public boolean silent(Instant now) {
      // No read timeout: a blocking read on a silent socket never returned.
      return false;
    }

    @Override
    public String silenceProblem() {
      return "never: the old follower had no read timeout";
    }

    @Override
    public void closed(String why) {
      state = "disconnected";
      problem = why;
    }

    @Override
    public void ended() {}

    @Override
    public void problem(String why) {
      state = "error";
      problem = why;
    }

    @Override
    public void snapshot(long entries) {
      state = "snapshot";
      report(false, 0);
    }

    @Override
    public void primaryAt(
        long position, long checksum, long myPosition, long myChecksum, Instant at) {
      if (myPosition == position) {
        if (myChecksum == checksum) {
          state = "in_sync";
          problem = null;
          report(true, position);
        } else {
          state = "error";
          problem = "checksum differs from the primary's at the same position";
          report(false, position);
        }
      } else {
        state = "catching_up";
      }
    }

    @Override
    public void rearm() {
      reportedCaughtUp = null;
    }

    @Override
    public String syncState() {
      return state;
    }

    @Override
    public String shownProblem() {
      return problem;
    }

    private void report(boolean caughtUp, long position) {
      if (reportedCaughtUp == null || reportedCaughtUp != caughtUp) {
        reportedCaughtUp = caughtUp;
        caughtUpListener.accept(caughtUp, position);
      }
    }
  }
}
