package io.flywall.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The config is not valid; carries every problem found, and its message lists them one per line.
 */
public final class ConfigException extends Exception {
  private final transient List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
