package io.flywall.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Directories for the logs and state of processes a test starts, kept under target/ after the run.
 */
public final class ProcessLogs {
  private ProcessLogs() {}

  public static Path freshDirectory(String name) throws IOException {
    Path dir =
        Path.of(System.getProperty("flywall.project.dir", "."))
            .resolve("target/it-runs")
            .resolve(name);
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return Files.createDirectories(dir).toAbsolutePath();
  }
}
