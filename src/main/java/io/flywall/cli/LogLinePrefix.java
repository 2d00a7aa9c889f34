package io.flywall.cli;

import static java.util.stream.Collectors.joining;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;

/**
 * The start of each log line ({@code %linePrefix} in {@link LogSetup}'s pattern). When standard
 * output is the journal, it is the line's syslog priority as {@code <N>}: journald strips it and
 * files the line under that priority, so {@code journalctl -u flywall -p warning} shows warnings
 * and errors; the journal stamps the time itself. Anywhere else it is the time, ISO 8601 with
 * milliseconds.
 */
public final class LogLinePrefix extends ClassicConverter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneId.systemDefault());

  private final boolean journal;

  /** As logback creates it: for this process's standard output and environment. */
  public LogLinePrefix() {
    this(Optional.ofNullable(System.getenv("JOURNAL_STREAM")), Path.of("/proc/self/fd/1"));
  }

  /**
   * @param journalStream systemd's JOURNAL_STREAM ("DEVICE:INODE" of the journal's stream)
   * @param standardOutput where this process writes its log
   */
  LogLinePrefix(Optional<String> journalStream, Path standardOutput) {
    this.journal = journalStream.map(stream -> sameFile(stream, standardOutput)).orElse(false);
  }

  /**
   * systemd sets JOURNAL_STREAM for a service's processes, and children inherit it: only when the
   * output is still that very stream does the journal read it.
   */
  private static boolean sameFile(String journalStream, Path output) {
    String[] parts = journalStream.split(":");
    if (parts.length != 2) {
      return false;
    }
    try {
      Map<String, Object> stat = Files.readAttributes(output, "unix:dev,ino");
      return Long.parseLong(parts[0]) == ((Number) stat.get("dev")).longValue()
          && Long.parseLong(parts[1]) == ((Number) stat.get("ino")).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  boolean toJournal() {
    return journal;
  }

  /**
   * Text a command prints on standard error itself (errors, config warnings): under journald each
   * line gets {@code priority}, as the log lines do.
   */
  static String onStandardError(String text, int priority) {
    if (!StandardError.JOURNAL) {
      return text;
    }
    return text.lines().map(line -> "<" + priority + ">" + line).collect(joining("\n"));
  }

  /** Decided once, when first needed: standard error does not change while the process runs. */
  private static final class StandardError {
    static final boolean JOURNAL =
        new LogLinePrefix(
                Optional.ofNullable(System.getenv("JOURNAL_STREAM")), Path.of("/proc/self/fd/2"))
            .toJournal();
  }

  @Override
  public String convert(ILoggingEvent event) {
    if (journal) {
      return "<" + syslogPriority(event.getLevel()) + ">";
    }
    return TIME.format(Instant.ofEpochMilli(event.getTimeStamp())) + " ";
  }

  /** syslog(3) priorities: 3 error, 4 warning, 6 info, 7 debug. */
  static int syslogPriority(Level level) {
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return 3;
    }
    if (level.isGreaterOrEqual(Level.WARN)) {
      return 4;
    }
    return level.isGreaterOrEqual(Level.INFO) ? 6 : 7;
  }
}
