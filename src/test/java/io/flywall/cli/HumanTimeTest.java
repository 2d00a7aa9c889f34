package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HumanTimeTest {
  private static final Instant NOW = Instant.parse("2026-11-29T20:10:00.123456789Z");

  @Test
  void agesUseTheTwoLargestUnits() {
    assertThat(HumanTime.span(Duration.ofMillis(450))).isEqualTo("450ms");
    assertThat(HumanTime.span(Duration.ofSeconds(12))).isEqualTo("12s");
    assertThat(HumanTime.span(Duration.ofSeconds(192))).isEqualTo("3m12s");
    assertThat(HumanTime.span(Duration.ofMinutes(3))).isEqualTo("3m");
    assertThat(HumanTime.span(Duration.ofMinutes(125))).isEqualTo("2h05m");
    assertThat(HumanTime.span(Duration.ofHours(76))).isEqualTo("3d04h");
  }

  @Test
  void anInstantIsShownToTheSecondWithHowLongAgoOrHowSoon() {
    assertThat(HumanTime.withAge("2026-11-29T20:06:48.000000001Z", NOW))
        .isEqualTo("2026-11-29 20:06:48Z (3m12s ago)");
    assertThat(HumanTime.withAge("2026-11-29T20:10:12.123456789Z", NOW))
        .isEqualTo("2026-11-29 20:10:12Z (in 12s)");
    assertThat(HumanTime.withAge("not a time", NOW)).isEqualTo("not a time");
  }

  @Test
  void aLongCellIsWrappedAtWordsAndTheOtherColumnsStayAligned() {
    String cause =
        "primary n1 silent since 20:06:42 (failure_timeout 3000 ms); preferred candidate";
    String table = new Table("ID", "CAUSE", "MS").wrap(1, 30).row(1, cause, 64).render();
    assertThat(table.lines()).allMatch(l -> l.length() <= 4 + 32 + 2);
    assertThat(table.lines().toList().get(1))
        .startsWith("1   primary n1 silent since")
        .endsWith("64");
    // The CAUSE column alone, read down, is the cause again.
    String column =
        table
            .lines()
            .skip(1)
            .map(l -> l.substring(4, Math.min(l.length(), 4 + 30)).strip())
            .collect(java.util.stream.Collectors.joining(" "));
    assertThat(column).isEqualTo(cause);
    assertThat(Table.wrapText("x".repeat(25), 10))
        .containsExactly("xxxxxxxxxx", "xxxxxxxxxx", "xxxxx");
  }
}
