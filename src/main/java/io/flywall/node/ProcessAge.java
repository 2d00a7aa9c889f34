package io.flywall.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How long ago this process started, to 10 ms, from {@code /proc}: the time since boot now ({@code
 * /proc/uptime}) less the process's start in clock ticks since boot ({@code /proc/self/stat}, field
 * 22). {@code ProcessHandle}'s start instant adds the boot time, which Linux gives in whole
 * seconds, so it is up to a second off: too coarse for DESIGN 10.2's 1.5 s.
 */
final class ProcessAge {
  // USER_HZ: what /proc counts clock ticks in; 100 on every Linux ABI.
  private static final long TICKS_PER_SECOND = 100;

  private ProcessAge() {}

  static Optional<Long> millis() {
    try {
      return millis(
          Files.readString(Path.of("/proc/uptime")), Files.readString(Path.of("/proc/self/stat")));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** From the two files' texts; empty when they do not read as expected. */
  static Optional<Long> millis(String uptime, String stat) {
    try {
      double secondsSinceBoot = Double.parseDouble(uptime.trim().split("\\s+")[0]);
      // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long startTicks = Long.parseLong(fields[22 - 3]);
      return Optional.of(
          Math.round(secondsSinceBoot * 1000) - startTicks * 1000 / TICKS_PER_SECOND);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
