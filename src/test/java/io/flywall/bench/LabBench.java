package io.flywall.bench;

import io.flywall.lab.NetLab;
import io.flywall.testing.FlywallProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

/** What the lab benchmarks share: the daemon's java command, waiting, medians. */
final class LabBench {
  private LabBench() {}

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
