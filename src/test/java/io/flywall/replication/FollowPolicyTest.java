package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FollowPolicyTest {
  private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
  private static final PrimaryTarget N1 =
      new PrimaryTarget("n1", InetSocketAddress.createUnresolved("n1", 9001));
  private static final PrimaryTarget N2 =
      new PrimaryTarget("n2", InetSocketAddress.createUnresolved("n2", 9001));

  private final List<String> reports = new ArrayList<>();
  private final FollowPolicy policy =
      new FollowPolicy(
          Duration.ofSeconds(1), (caughtUp, position) -> reports.add(caughtUp + "@" + position));

  private void inSyncWith(PrimaryTarget primary, long position) {
    policy.primaryIs(Optional.of(primary));
    policy.connected(primary, T0);
    policy.primaryAt(position, 7, position, 7, T0);
  }

  @Test
  void theSilenceLimitIsThreeSyncIntervalsAndAtLeastOneSecond() {
    assertThat(FollowPolicy.silenceLimit(Duration.ofMillis(100))).isEqualTo(Duration.ofSeconds(1));
    assertThat(FollowPolicy.silenceLimit(Duration.ofMillis(500)))
        .isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aStreamIsSilentOnlyOnceNoFrameCameForTheSilenceLimit() {
    inSyncWith(N1, 300);
    assertThat(policy.silent(T0.plusMillis(999))).isFalse();
    policy.heard(T0.plusMillis(900));
    assertThat(policy.silent(T0.plusMillis(1800))).isFalse();
    assertThat(policy.silent(T0.plusMillis(1900))).isTrue();
    policy.closed(policy.silenceProblem());
    assertThat(policy.silent(T0.plusSeconds(10))).isFalse();
  }

  @Test
  void aNewPrimaryDropsTheStreamInHandAndClearsTheCaughtUpFlagUntilTheReplicaHasItsData() {
    inSyncWith(N1, 300);
    assertThat(policy.primaryIs(Optional.of(N2))).isTrue();
    assertThat(policy.caughtUp()).isFalse();
    assertThat(policy.syncState()).isEqualTo("disconnected");
    assertThat(policy.view().problem()).contains("from n1 to n2");
    assertThat(policy.target()).contains(N2);
    assertThat(policy.wants(N1)).isFalse();

    policy.ended();
    policy.connected(N2, T0.plusSeconds(1));
    policy.primaryAt(600, 9, 300, 7, T0.plusSeconds(1));
    assertThat(policy.caughtUp()).isFalse();
    assertThat(policy.syncState()).isEqualTo("catching_up");
    policy.primaryAt(600, 9, 600, 9, T0.plusSeconds(2));
    assertThat(policy.caughtUp()).isTrue();
    assertThat(reports).containsExactly("true@300", "false@0", "true@600");
  }

  @Test
  void theSamePrimaryNamedAgainOrNoPrimaryAtAllKeepsTheStream() {
    inSyncWith(N1, 300);
    assertThat(policy.primaryIs(Optional.of(N1))).isFalse();
    assertThat(policy.primaryIs(Optional.empty())).isFalse();
    assertThat(policy.syncState()).isEqualTo("in_sync");
    assertThat(policy.caughtUp()).isTrue();
  }

  @Test
  void aReplicaOfAPrimaryThatDiedStaysEligibleButIsNotInSyncWhileItHasNoStream() {
    inSyncWith(N1, 300);
    policy.primaryIs(Optional.empty());
    policy.closed(policy.silenceProblem());
    assertThat(policy.syncState()).isEqualTo("disconnected");
    assertThat(policy.caughtUp()).isTrue();
    assertThat(policy.view().problem()).contains("no frame from the primary for 1000 ms");
  }

  @Test
  void aChecksumThatDiffersAtTheSamePositionIsAnErrorAndNotCaughtUp() {
    inSyncWith(N1, 300);
    policy.primaryAt(301, 8, 301, 5, T0.plusSeconds(1));
    assertThat(policy.syncState()).isEqualTo("error");
    assertThat(policy.caughtUp()).isFalse();
    assertThat(policy.view().problem()).contains("resync");
  }

  @Test
  void anErrorStaysTheFailureThroughTheRetrysReconnectsUntilTheReplicaIsInSyncAgain() {
    inSyncWith(N1, 300);
    policy.problem("cannot apply: database or disk is full");
    assertThat(policy.view().failure()).contains("disk is full");
    // The retry: the stream ends, a new one connects and catches up, and fails again.
    policy.closed("stream ended");
    policy.connected(N1, T0.plusSeconds(2));
    policy.primaryAt(310, 9, 300, 7, T0.plusSeconds(2));
    assertThat(policy.syncState()).isEqualTo("catching_up");
    assertThat(policy.view().failure()).contains("disk is full");
    policy.primaryAt(310, 9, 310, 9, T0.plusSeconds(3));
    assertThat(policy.view().failure()).isNull();
  }

  @Test
  void aFailureOfTheOldPrimarysStreamIsDroppedWhenTheReplicaFollowsAnother() {
    inSyncWith(N1, 300);
    policy.problem("refused: corrupt frame");
    policy.primaryIs(Optional.of(N2));
    assertThat(policy.view().failure()).isNull();
  }
}
