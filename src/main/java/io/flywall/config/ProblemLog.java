package io.flywall.config;

import io.flywall.config.hcl.Position;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the errors and warnings of one file, so that all of them are reported together. */
final class ProblemLog {
  private static final Comparator<ConfigProblem> IN_FILE_ORDER =
      Comparator.comparingInt(ConfigProblem::line).thenComparingInt(ConfigProblem::column);

  private final String file;
  private final List<ConfigProblem> errors = new ArrayList<>();
  private final List<ConfigProblem> warnings = new ArrayList<>();

  ProblemLog(String file) {
    this.file = file;
  }

  void error(Position at, String message) {
    errors.add(new ConfigProblem(file, at.line(), at.column(), message));
  }

  void warning(Position at, String message) {
    warnings.add(new ConfigProblem(file, at.line(), at.column(), message));
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  List<ConfigProblem> errors() {
    return errors.stream().sorted(IN_FILE_ORDER).toList();
  }

  List<ConfigProblem> warnings() {
    return warnings.stream().sorted(IN_FILE_ORDER).toList();
  }
}
