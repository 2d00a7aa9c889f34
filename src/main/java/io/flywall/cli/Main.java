package io.flywall.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flywall} command: daemon, witness and client commands under one root. */
@Command(
    name = "flywall",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "High-availability daemon of a Linux firewall/router: VIP failover, "
            + "authenticated heartbeats and replicated state.",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:Success (for ha check: OK).",
      "1:The command failed; the message says why (for ha check: WARNING).",
      "2:Invalid arguments or an invalid config (for ha check: CRITICAL).",
      "3:For ha check only: UNKNOWN, the daemon could not be asked.",
      "70:An internal error, which is a bug: set FLYWALL_DEBUG=1 to see the stack trace, and"
          + " report it.",
      "127:An OS tool the config needs is missing; the message names the Debian package."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  flywall config check /etc/flywall/flywall.hcl",
      "  systemctl enable --now flywall",
      "  flywall ha status",
      "  flywall ha failover --to fw2",
      "  journalctl -u flywall --since today"
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      RunCommand.class,
      WitnessCommand.class,
      ConfigCommand.class,
      HaCommand.class,
      ReplicationCommand.class,
      StateCommand.class,
      CompletionCommand.class,
      ManualCommand.class,
      DemoCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code; tests call this instead of {@link #main}. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(new UserErrorHandler());
    CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          int exit = usage.handleParseException(ex, args);
          if (!(ex.getCommandLine().getCommand() instanceof HaCommand.Check)) {
            return exit;
          }
          // A monitoring system reads stdout and the exit code: bad arguments are UNKNOWN there.
          ex.getCommandLine().getOut().println(CheckVerdict.unknown(ex.getMessage()).line());
          ex.getCommandLine().getOut().flush();
          return CheckVerdict.State.UNKNOWN.exitCode();
        });
    return cli;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a command; see 'flywall --help'.");
  }
}
