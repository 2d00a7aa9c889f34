package io.flywall.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Times as an operator reads them: to the second, in UTC, with how long ago ("3m12s ago"). */
final class HumanTime {
  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private HumanTime() {}

  /** "2026-11-29 20:06:46Z (3m12s ago)"; text that is not an instant is shown as it is. */
  static String withAge(String iso, Instant now) {
    try {
      Instant then = Instant.parse(iso);
      return UTC.format(then.truncatedTo(ChronoUnit.SECONDS)) + " (" + relative(then, now) + ")";
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  /** "3m12s ago" for the past, "in 12s" for the future. */
  static String relative(Instant then, Instant now) {
    Duration d = Duration.between(then, now);
    return d.isNegative() ? "in " + span(d.negated()) : span(d) + " ago";
  }

  /** The two largest units: "450ms", "12s", "3m12s", "2h05m", "3d04h". */
  static String span(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 ? "" : String.format("%02ds", s % 60));
    }
    if (s < 86_400) {
      return s / 3600 + "h" + String.format("%02dm", s % 3600 / 60);
    }
    return s / 86_400 + "d" + String.format("%02dh", s % 86_400 / 3600);
  }
}
