package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadlineTickTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aDeadlineIsTickedAfterTheTimeLeftUntilIt() {
    DeadlineTick tick = new DeadlineTick();
    assertThat(tick.plan(Optional.of(T0.plusMillis(75)), T0)).contains(Duration.ofMillis(75));
  }

  @Test
  void noDeadlineNoTick() {
    assertThat(new DeadlineTick().plan(Optional.empty(), T0)).isEmpty();
  }

  @Test
  void aLaterDeadlineWaitsForTheTickAlreadyPlanned() {
    DeadlineTick tick = new DeadlineTick();
    tick.plan(Optional.of(T0.plusMillis(30)), T0);
    assertThat(tick.plan(Optional.of(T0.plusMillis(75)), T0.plusMillis(5))).isEmpty();
    assertThat(tick.plan(Optional.of(T0.plusMillis(30)), T0.plusMillis(5))).isEmpty();
  }

  @Test
  void anEarlierDeadlineReplacesThePlannedTick() {
    DeadlineTick tick = new DeadlineTick();
    tick.plan(Optional.of(T0.plusMillis(75)), T0);
    assertThat(tick.plan(Optional.of(T0.plusMillis(30)), T0.plusMillis(10)))
        .contains(Duration.ofMillis(20));
  }

  @Test
  void onceThePlannedTickRanTheNextDeadlineIsPlanned() {
    DeadlineTick tick = new DeadlineTick();
    tick.plan(Optional.of(T0.plusMillis(30)), T0);
    tick.ran(T0.plusMillis(30));
    assertThat(tick.plan(Optional.of(T0.plusMillis(90)), T0.plusMillis(30)))
        .contains(Duration.ofMillis(60));
  }

  @Test
  void aReplacedTickThatRunsAnywayDoesNotForgetTheOnePlannedNow() {
    DeadlineTick tick = new DeadlineTick();
    tick.plan(Optional.of(T0.plusMillis(75)), T0);
    tick.plan(Optional.of(T0.plusMillis(30)), T0);
    tick.ran(T0.plusMillis(75));
    assertThat(tick.plan(Optional.of(T0.plusMillis(50)), T0)).isEmpty();
  }

  @Test
  void aDeadlineAlreadyPassedIsTickedAtOnce() {
    DeadlineTick tick = new DeadlineTick();
    assertThat(tick.plan(Optional.of(T0), T0.plusMillis(2))).contains(Duration.ZERO);
  }
}
