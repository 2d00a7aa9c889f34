package io.flywall.chaos;

/** A broken rule found in a history: which check, when (ms since the start) and what. */
record Violation(String check, long tMs, String message) {
  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "[%s] +%.3fs %s", check, tMs / 1000.0, message);
  }
}
