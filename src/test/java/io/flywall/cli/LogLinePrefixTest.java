package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log lines under journald carry their syslog priority; elsewhere their time. */
class LogLinePrefixTest {
  @TempDir Path dir;

  private static LoggingEvent event(Level level) {
    LoggerContext context = new LoggerContext();
    LoggingEvent event =
        new LoggingEvent(
            LogLinePrefixTest.class.getName(), context.getLogger("test"), level, "m", null, null);
    event.setTimeStamp(0);
    return event;
  }

  private static String streamOf(Path file) throws Exception {
    Map<String, Object> stat = Files.readAttributes(file, "unix:dev,ino");
    return stat.get("dev") + ":" + stat.get("ino");
  }

  @Test
  void outputThatIsTheJournalsStreamGetsTheSyslogPriorityOfEachLevel() throws Exception {
    Path journal = Files.createFile(dir.resolve("journal"));
    LogLinePrefix prefix = new LogLinePrefix(Optional.of(streamOf(journal)), journal);

    assertThat(prefix.toJournal()).isTrue();
    assertThat(prefix.convert(event(Level.ERROR))).isEqualTo("<3>");
    assertThat(prefix.convert(event(Level.WARN))).isEqualTo("<4>");
    assertThat(prefix.convert(event(Level.INFO))).isEqualTo("<6>");
    assertThat(prefix.convert(event(Level.DEBUG))).isEqualTo("<7>");
  }

  @Test
  void anInheritedJournalStreamThatIsNotOurOutputGivesTimestamps() throws Exception {
    Path journal = Files.createFile(dir.resolve("journal"));
    Path elsewhere = Files.createFile(dir.resolve("elsewhere"));

    LogLinePrefix inherited = new LogLinePrefix(Optional.of(streamOf(journal)), elsewhere);
    LogLinePrefix garbled = new LogLinePrefix(Optional.of("not-a-stream"), journal);
    LogLinePrefix none = new LogLinePrefix(Optional.empty(), journal);

    for (LogLinePrefix prefix : new LogLinePrefix[] {inherited, garbled, none}) {
      assertThat(prefix.toJournal()).isFalse();
      assertThat(prefix.convert(event(Level.WARN)))
          .matches("1970-01-01T\\d\\d:00:00\\.000(Z|[+-]\\d\\d(\\d\\d)?) ");
    }
  }
}
