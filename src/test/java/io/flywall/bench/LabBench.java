package io.flywall.bench;

import io.flywall.lab.NetLab;
import io.flywall.testing.FlywallProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the lab benchmarks share: the daemon's java command, its GC log, waiting, medians. */
final class LabBench {
  /**
   * The daemon's JVM options as bin/flywall and /usr/bin/flywall give them (FLYWALL_JAVA_OPTS and
   * the class-data sharing archive aside).
   */
  static final List<String> LAUNCHER_JVM =
      List.of(
          "-XX:+UseSerialGC",
          "-Xms128m",
          "-Xmn32m",
          "-XX:MetaspaceSize=64m",
          "-XX:+AlwaysPreTouch");

  private static final Pattern PAUSE =
      Pattern.compile("GC\\(\\d+\\) (Pause [^(]*(?:\\([^)]*\\))?).* (\\d+(?:\\.\\d+)?)ms");

  private LabBench() {}

  /** The option that makes a daemon log its collections to DIR/gc-PID.log. */
  static String gcLogOption(Path dir) {
    return "-Xlog:gc:file=" + dir.resolve("gc-%p.log") + ":uptime";
  }

  /** One stop-the-world pause of a daemon's collector, as its -Xlog:gc file records it. */
  record GcPause(String kind, double ms) {
    boolean full() {
      return kind.startsWith("Pause Full");
    }
  }

  /** Every pause in a -Xlog:gc file; none when the file is missing. */
  static List<GcPause> gcPauses(Path log) throws IOException {
    List<GcPause> pauses = new ArrayList<>();
    if (!Files.exists(log)) {
      return pauses;
    }
    for (String line : Files.readAllLines(log)) {
      Matcher m = PAUSE.matcher(line);
      if (m.find()) {
        pauses.add(new GcPause(m.group(1).strip(), Double.parseDouble(m.group(2))));
      }
    }
    return pauses;
  }

  /** "N pauses (K full), longest X ms, T ms in all". */
  static String describe(List<GcPause> pauses) {
    return String.format(
        Locale.ROOT,
        "%d pauses (%d full), longest %.1f ms, %.0f ms in all",
        pauses.size(),
        pauses.stream().filter(GcPause::full).count(),
        pauses.stream().mapToDouble(GcPause::ms).max().orElse(0),
        pauses.stream().mapToDouble(GcPause::ms).sum());
  }

  /** Exits with the reason when this machine cannot build a lab (not root, no ip netns). */
  static void requireLab(String benchmark) {
    NetLab.unavailableReason()
        .ifPresent(
            reason -> {
              System.err.println(benchmark + ": " + reason);
              System.exit(1);
            });
  }

  /** The java command of the daemons: this JVM's java and the packaged jar. */
  static List<String> javaCommand() {
    return FlywallProcess.javaCommand();
  }

  static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static void await(String what, Duration limit, BooleanSupplier condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("gave up waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
