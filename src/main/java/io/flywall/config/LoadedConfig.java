package io.flywall.config;

import java.util.List;

/** A valid config and the warnings found while loading it (problems that do not stop it). */
public record LoadedConfig(FlywallConfig config, List<ConfigProblem> warnings) {
  public LoadedConfig {
    warnings = List.copyOf(warnings);
  }
}
