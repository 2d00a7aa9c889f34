package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationSyntaxTest {

  @Test
  void everyUnitIsRead() {
    assertThat(DurationSyntax.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationSyntax.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(DurationSyntax.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DurationSyntax.parse("1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void unknownUnitsNegativesAndFractionsAreRejected() {
    assertThatThrownBy(() -> DurationSyntax.parse("5x")).hasMessageContaining("got \"5x\"");
    assertThatThrownBy(() -> DurationSyntax.parse("-5s"))
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(() -> DurationSyntax.parse("1.5s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DurationSyntax.parse("30"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DurationSyntax.parse("1 s"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void formatPicksTheLargestExactUnitAndReadsBack() {
    assertThat(DurationSyntax.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(DurationSyntax.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(DurationSyntax.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(DurationSyntax.format(Duration.ofMinutes(120))).isEqualTo("2h");
    for (Duration d :
        new Duration[] {Duration.ofMillis(1), Duration.ofSeconds(61), Duration.ofMinutes(59)}) {
      assertThat(DurationSyntax.parse(DurationSyntax.format(d))).isEqualTo(d);
    }
  }
}
