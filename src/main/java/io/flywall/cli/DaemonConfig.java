package io.flywall.cli;

import io.flywall.config.ConfigException;
import io.flywall.config.ConfigLoader;
import io.flywall.config.ConfigProblem;
import io.flywall.config.FlywallConfig;
import io.flywall.config.LoadedConfig;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Loads the config of a long-running command ({@code run}, {@code witness}): all problems, exit 2.
 */
final class DaemonConfig {
  private DaemonConfig() {}

  static FlywallConfig load(Path file, PrintWriter err) {
    try {
      LoadedConfig loaded = ConfigLoader.withSystemHostname().load(file);
      for (ConfigProblem warning : loaded.warnings()) {
        err.println(LogLinePrefix.onStandardError(warning.asWarning(), 4));
      }
      err.flush();
      return loaded.config();
    } catch (ConfigException e) {
      throw new UserError(
          "invalid config, nothing started:\n" + e.getMessage(), ConfigCommand.INVALID);
    }
  }
}
