package io.flywall.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** DESIGN 10.4: HLC timestamps from peers more than 60 s ahead of the local clock are rejected. */
class HybridClockTest {
  private final MutableClock wall = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
  private final HybridClock clock = new HybridClock(wall);

  @Test
  void aStampUpToSixtySecondsAheadIsAcceptedAndOneBeyondIsRefused() {
    assertThat(clock.tooFarAhead(Hlc.of(wall.millis() + 60_000, 0))).isEmpty();
    assertThat(clock.tooFarAhead(Hlc.of(wall.millis() + 60_001, 0)))
        .hasValueSatisfying(why -> assertThat(why).contains("60 s ahead", "NTP"));
    assertThat(clock.tooFarAhead(new Hlc(Long.MAX_VALUE))).isPresent();
    assertThat(clock.tooFarAhead(new Hlc(-1))).as("negative reads as far future").isPresent();
  }

  @Test
  void aFarFutureStampCannotDragTheClockAlongNorOverflowIt() {
    clock.observe(new Hlc(Long.MAX_VALUE));

    Hlc next = clock.now();
    assertThat(next.value()).isPositive();
    assertThat(next.physicalMillis()).isLessThanOrEqualTo(wall.millis() + 60_001);
    assertThat(clock.now()).isGreaterThan(next);
  }

  @Test
  void aStampWithinTheBoundStillOrdersLaterWritesAfterIt() {
    Hlc remote = Hlc.of(wall.millis() + 30_000, 7);
    clock.observe(remote);

    assertThat(clock.now()).isGreaterThan(remote);
  }
}
