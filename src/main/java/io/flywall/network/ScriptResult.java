package io.flywall.network;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a script run ended. {@code exitCode} is -1 when it did not start or was killed; {@code
 * problem} is empty when it ran to a zero exit, else it says what went wrong; {@code outputTail}
 * holds its last lines of output (stdout and stderr interleaved).
 */
public record ScriptResult(
    Path script,
    int exitCode,
    boolean timedOut,
    Duration duration,
    String outputTail,
    String problem) {

  public boolean ok() {
    return problem.isEmpty();
  }

  static ScriptResult notRun(Path script, String problem) {
    return new ScriptResult(script, -1, false, Duration.ZERO, "", problem);
  }
}
