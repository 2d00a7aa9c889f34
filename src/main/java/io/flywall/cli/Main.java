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
    exitCodeList = {},
    footerHeading = "%nExamples:%n",
    footer = {
      "  flywall config check /etc/flywall/flywall.hcl",
      "  systemctl enable --now flywall",
      "  flywall ha status",
      "  flywall ha failover --to fw2",
      "  journalctl -u flywall --since today",
      "",
      "flywall ha check exits as monitoring plugins do: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      RunCommand.class,
      WitnessCommand.class,
      ConfigCommand.class,
      HaCommand.class,
      ReloadCommand.class,
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
    // One list for every command, so help, man page and behaviour cannot disagree.
    setExitCodes(cli);
    cli.setExecutionExceptionHandler(new UserErrorHandler());
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine bad = ex.getCommandLine();
          if (bad.getCommand() instanceof HaCommand.Check) {
            // A monitoring system reads stdout and the exit code: bad arguments are UNKNOWN there.
            bad.getOut().println(CheckVerdict.unknown(ex.getMessage()).line());
            bad.getOut().flush();
            return CheckVerdict.State.UNKNOWN.exitCode();
          }
          // The message and where to look, not the whole usage: the error must stay visible.
          bad.getErr().println(LogLinePrefix.onStandardError("flywall: " + ex.getMessage(), 3));
          CommandLine.UnmatchedArgumentException.printSuggestions(ex, bad.getErr());
          bad.getErr().println("See '" + bad.getCommandSpec().qualifiedName() + " --help'.");
          bad.getErr().flush();
          return ExitCode.USAGE;
        });
    return cli;
  }

  private static void setExitCodes(CommandLine cli) {
    CommandLine.Model.UsageMessageSpec usage = cli.getCommandSpec().usageMessage();
    if (usage.exitCodeList().isEmpty() && !(cli.getCommand() instanceof HaCommand.Check)) {
      usage.exitCodeListHeading("Exit status:%n");
      java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
      for (String line : ExitCode.HELP) {
        int colon = line.indexOf(':');
        codes.put(line.substring(0, colon), line.substring(colon + 1));
      }
      usage.exitCodeList(codes);
    }
    cli.getSubcommands().values().forEach(Main::setExitCodes);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a command; see 'flywall --help'.");
  }
}
