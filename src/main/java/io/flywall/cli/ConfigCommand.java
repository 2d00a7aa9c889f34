package io.flywall.cli;

import io.flywall.cluster.ClusterKeys;
import io.flywall.config.ConfigException;
import io.flywall.config.ConfigLoader;
import io.flywall.config.ConfigPrinter;
import io.flywall.config.ConfigProblem;
import io.flywall.config.LoadedConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flywall config ...}: work with config files without running the daemon. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Work with Flywall config files.",
    subcommands = {
      ConfigCommand.Check.class,
      ConfigCommand.WitnessKey.class,
      CommandLine.HelpCommand.class
    })
public final class ConfigCommand implements Runnable {
  /** Exit code of an invalid or unreadable config file. */
  static final int INVALID = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a command; see 'flywall config --help'.");
  }

  /** {@code flywall config check FILE [--print]}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Validate a config file: syntax, schema, types, ranges and the rules between settings.",
        "Exit 0 when valid (prints 'FILE: ok' and any warnings), 2 when not (prints every problem "
            + "as FILE:LINE:COL: message on stderr)."
      },
      exitCodeListHeading = "Exit status:%n",
      exitCodeList = {"0:The config is valid.", "2:The config is invalid or cannot be read."},
      footerHeading = "%nExamples:%n",
      footer = {
        "  flywall config check /etc/flywall/flywall.hcl",
        "  flywall config check /etc/flywall/flywall.hcl --print"
      })
  static final class Check implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "The config file to check, e.g. /etc/flywall/flywall.hcl.")
    Path file;

    @Option(
        names = "--print",
        description =
            "Also print the effective config (defaults filled in, secret "
                + "redacted) as HCL on stdout; 'FILE: ok' then goes to stderr so stdout stays valid HCL.")
    boolean print;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      LoadedConfig loaded;
      try {
        loaded = ConfigLoader.withSystemHostname().load(file);
      } catch (ConfigException e) {
        for (ConfigProblem problem : e.problems()) {
          err.println(problem);
        }
        err.flush();
        return INVALID;
      }
      Optional<String> refusal = runRefusal(loaded);
      if (refusal.isPresent()) {
        err.println(file + ": " + refusal.get());
        err.flush();
        return INVALID;
      }
      for (ConfigProblem warning : loaded.warnings()) {
        err.println(warning.asWarning());
      }
      for (String missing :
          MissingInterfaces.warnings(loaded.config(), MissingInterfaces::existsOnThisHost)) {
        err.println(file + ": warning: " + missing);
      }
      if (print) {
        err.println(file + ": ok");
        out.print(ConfigPrinter.print(loaded.config()));
      } else {
        out.println(file + ": ok");
      }
      out.flush();
      err.flush();
      return 0;
    }
  }

  /**
   * What 'flywall run' would refuse in a config the schema accepts (a witness config, which has
   * witness_key, is 'flywall witness''s business): check must not pass what run refuses.
   */
  static Optional<String> runRefusal(LoadedConfig loaded) {
    var replication = loaded.config().replication();
    if (replication.witnessKey().isPresent()) {
      return Optional.empty();
    }
    var ha = replication.ha();
    if (ha.isEmpty()) {
      return Optional.of(
          "no `ha` block: 'flywall run' needs one (a node without HA has nothing to do); add"
              + " `ha { }` inside `replication`");
    }
    if (!ha.get().enabled()) {
      return Optional.of(
          "`ha.enabled = false`: 'flywall run' refuses a node without HA; to take a node out of"
              + " service use 'flywall ha standby', to stop it 'systemctl stop flywall'");
    }
    return Optional.empty();
  }

  /** {@code flywall config witness-key FILE}: the key a witness needs, derived from a node's. */
  @Command(
      name = "witness-key",
      mixinStandardHelpOptions = true,
      description = {
        "Print the key a witness needs, derived from the secret_key in a node's config FILE.",
        "Put it in the witness's config as witness_key = \"...\" (instead of secret_key): with it",
        "the witness exchanges heartbeats and votes, but cannot read replicated state or speak as",
        "a node. Every node of the cluster derives the same key from the same secret_key."
      },
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:the key was printed",
        "2:the config is invalid, cannot be read or has no secret_key"
      })
  static final class WitnessKey implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "A node's config file (with secret_key), e.g. /etc/flywall/flywall.hcl.")
    Path file;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      LoadedConfig loaded;
      try {
        loaded = ConfigLoader.withSystemHostname().load(file);
      } catch (ConfigException e) {
        for (ConfigProblem problem : e.problems()) {
          err.println(problem);
        }
        err.flush();
        return INVALID;
      }
      var secret = loaded.config().replication().secretKey();
      if (secret.isEmpty()) {
        err.println(
            file
                + ": has no secret_key; give the config of a node of the cluster (the witness key"
                + " is derived from the cluster's secret_key)");
        err.flush();
        return INVALID;
      }
      out.println(ClusterKeys.fromSecret(secret.get().value()).witnessKeyText());
      out.flush();
      return 0;
    }
  }
}
