package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

/** Loads config text in tests with a fixed hostname, and extracts the problems of bad text. */
final class ConfigText {
  static final String HOSTNAME = "fw-test-1";
  static final ConfigLoader LOADER = new ConfigLoader(() -> HOSTNAME);

  private ConfigText() {}

  static LoadedConfig load(String text) throws ConfigException {
    return LOADER.parse("test.hcl", text);
  }

  static List<ConfigProblem> problemsOf(String text) {
    ConfigException e = catchThrowableOfType(() -> load(text), ConfigException.class);
    assertThat(e).as("expected the config to be rejected:\n%s", text).isNotNull();
    return e.problems();
  }

  /** The single problem of the text; fails if there are none or several. */
  static ConfigProblem problemOf(String text) {
    List<ConfigProblem> problems = problemsOf(text);
    assertThat(problems).as("problems of:\n%s", text).hasSize(1);
    return problems.get(0);
  }

  /**
   * A valid replication block with HA, with {@code extraReplication} and {@code extraHa} spliced
   * in.
   */
  static String withHa(String extraReplication, String extraHa) {
    return "replication {\n"
        + "  mode = \"primary\"\n"
        + "  secret_key = \"0123456789abcdef0123456789abcdef\"\n"
        + extraReplication
        + "  ha {\n"
        + "    enabled = true\n"
        + extraHa
        + "  }\n"
        + "}\n";
  }

  static String replication(String extra) {
    return "replication {\n  mode = \"standalone\"\n" + extra + "}\n";
  }
}
