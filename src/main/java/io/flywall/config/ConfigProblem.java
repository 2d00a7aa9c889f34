package io.flywall.config;

/**
 * One error or warning in a config file. Line and column are 1-based; line 0 means the problem
 * concerns the file as a whole (for example, it cannot be read).
 */
public record ConfigProblem(String file, int line, int column, String message) {

  /** {@code FILE:LINE:COL: message}, or {@code FILE: message} for whole-file problems. */
  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ":" + column + ": " + message : file + ": " + message;
  }

  /** {@code FILE:LINE:COL: warning: message}, the form the CLI prints warnings in. */
  public String asWarning() {
    return line > 0
        ? file + ":" + line + ":" + column + ": warning: " + message
        : file + ": warning: " + message;
  }
}
