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
      Pattern.compile(
          "^\\[(\\d+(?:\\.\\d+)?)s\\].*GC\\(\\d+\\) (Pause [^(]*(?:\\([^)]*\\))?).*?"
              + "(?:(\\d+)M->(\\d+)M\\(\\d+M\\) )?(\\d+(?:\\.\\d+)?)ms");

  private LabBench() {}

  /** The option that makes a daemon log its collections to DIR/gc-PID.log. */
  static String gcLogOption(Path dir) {
    return "-Xlog:gc:file=" + dir.resolve("gc-%p.log") + ":uptime";
  }

  /**
   * One stop-the-world pause of a daemon's collector, as its -Xlog:gc file records it: when (JVM
   * uptime), what kind, how long, and the heap in use after it (MB; -1 when the line does not say).
   */
  record GcPause(double atSeconds, String kind, double ms, long heapAfterMb) {
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
        pauses.add(
            new GcPause(
                Double.parseDouble(m.group(1)),
                m.group(2).strip(),
                Double.parseDouble(m.group(5)),
                m.group(4) == null ? -1 : Long.parseLong(m.group(4))));
      }
    }
    return pauses;
  }

  /** "N pauses (K full), longest X ms, T ms in all, promoted P MB/s". */
  static String describe(List<GcPause> pauses) {
    return String.format(
        Locale.ROOT,
        "%d pauses (%d full), longest %.1f ms, %.0f ms in all, promoted %.2f MB/s",
        pauses.size(),
        pauses.stream().filter(GcPause::full).count(),
        pauses.stream().mapToDouble(GcPause::ms).max().orElse(0),
        pauses.stream().mapToDouble(GcPause::ms).sum(),
        promotedMbPerSecond(pauses));
  }

  /**
   * How fast the old generation filled: the heap after each young collection less the heap after
   * the collection before it, summed over the young ones (the survivors' ups and downs cancel out;
   * what a full collection freed is not counted), over the time from the first pause to the last.
   * What is promoted and then dies is what makes full collections; 0 when there is nothing to go
   * by.
   */
  static double promotedMbPerSecond(List<GcPause> pauses) {
    long promoted = 0;
    for (int i = 1; i < pauses.size(); i++) {
      GcPause previous = pauses.get(i - 1);
      GcPause pause = pauses.get(i);
      if (!pause.full() && pause.heapAfterMb() >= 0 && previous.heapAfterMb() >= 0) {
        promoted += pause.heapAfterMb() - previous.heapAfterMb();
      }
    }
    double seconds =
        pauses.isEmpty()
            ? 0
            : pauses.get(pauses.size() - 1).atSeconds() - pauses.get(0).atSeconds();
    return seconds > 0 ? promoted / seconds : 0;
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
