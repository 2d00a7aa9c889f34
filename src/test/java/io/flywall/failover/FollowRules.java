package io.flywall.failover;

import io.flywall.replication.FollowPolicy;
import io.flywall.replication.PrimaryTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * What the simulated follower asks of its rules ({@link SimulatedReplication}): the real {@link
 * FollowPolicy}, or older rules re-created to show that the simulation finds their bugs ({@link
 * RulesBeforeIssue10}). The methods are those of {@link FollowPolicy}.
 */
interface FollowRules {

  /** Builds a node's rules; {@code caughtUp} is told (caught up?, position) on every change. */
  @FunctionalInterface
  interface Factory {
    FollowRules create(Duration silenceLimit, BiConsumer<Boolean, Long> caughtUp);
  }

  /** Today's rules: the real {@link FollowPolicy}. */
  Factory CURRENT = (silence, caughtUp) -> new Current(new FollowPolicy(silence, caughtUp));

  boolean primaryIs(Optional<PrimaryTarget> primary);

  Optional<PrimaryTarget> target();

  boolean wants(PrimaryTarget target);

  void connected(PrimaryTarget target, Instant now);

  void heard(Instant now);

  boolean silent(Instant now);

  String silenceProblem();

  void closed(String why);

  void ended();

  void problem(String why);

  void snapshot(long entries);

  void primaryAt(long position, long checksum, long myPosition, long myChecksum, Instant at);

  void rearm();

  String syncState();

  /** The problem status shows, or null. */
  String shownProblem();

  /** The real policy, unchanged. */
  record Current(FollowPolicy policy) implements FollowRules {
    @Override
    public boolean primaryIs(Optional<PrimaryTarget> primary) {
      return policy.primaryIs(primary);
    }

    @Override
    public Optional<PrimaryTarget> target() {
      return policy.target();
    }

    @Override
    public boolean wants(PrimaryTarget target) {
      return policy.wants(target);
    }

    @Override
    public void connected(PrimaryTarget target, Instant now) {
      policy.connected(target, now);
    }

    @Override
    public void heard(Instant now) {
      policy.heard(now);
    }

    @Override
    public boolean silent(Instant now) {
      return policy.silent(now);
    }

    @Override
    public String silenceProblem() {
      return policy.silenceProblem();
    }

    @Override
    public void closed(String why) {
      policy.closed(why);
    }

    @Override
    public void ended() {
      policy.ended();
    }

    @Override
    public void problem(String why) {
      policy.problem(why);
    }

    @Override
    public void snapshot(long entries) {
      policy.snapshot(entries);
    }

    @Override
    public void primaryAt(
        long position, long checksum, long myPosition, long myChecksum, Instant at) {
      policy.primaryAt(position, checksum, myPosition, myChecksum, at);
    }

    @Override
    public void rearm() {
      policy.rearm();
    }

    @Override
    public String syncState() {
      return policy.syncState();
    }

    @Override
    public String shownProblem() {
      return policy.view().problem();
    }
  }
}
