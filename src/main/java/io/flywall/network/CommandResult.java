package io.flywall.network;

import java.util.List;

/**
 * How a command ended. {@code exitCode} is -1 when it timed out and 127 when it could not be
 * started (then {@code stderr} says why).
 */
public record CommandResult(
    List<String> argv, int exitCode, String stdout, String stderr, boolean timedOut) {

  public CommandResult {
    argv = List.copyOf(argv);
    stdout = stdout == null ? "" : stdout;
    stderr = stderr == null ? "" : stderr;
  }

  public boolean ok() {
    return exitCode == 0 && !timedOut;
  }

  /** One line for logs and error messages: the command and how it ended. */
  public String describe() {
    String command = String.join(" ", argv);
    if (timedOut) {
      return "'" + command + "' timed out";
    }
    String detail = stderr.isBlank() ? stdout.strip() : stderr.strip();
    return "'" + command + "' exited " + exitCode + (detail.isEmpty() ? "" : ": " + detail);
  }
}
