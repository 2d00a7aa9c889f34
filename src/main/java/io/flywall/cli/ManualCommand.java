package io.flywall.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** The whole manual: every command's full help in one man-style page (pipe it to less). */
@Command(
    name = "manual",
    mixinStandardHelpOptions = true,
    description = "Print the full manual: every command with its options, man-page style.")
final class ManualCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "FLYWALL(8)                      Flywall HA manual                      FLYWALL(8)");
    out.println();
    print(spec.root().commandLine(), out);
    out.flush();
  }

  private static void print(CommandLine command, PrintWriter out) {
    CommandLine.Model.CommandSpec spec = command.getCommandSpec();
    out.println("NAME");
    String[] description = spec.usageMessage().description();
    out.println(
        "    " + spec.qualifiedName() + (description.length > 0 ? " - " + description[0] : ""));
    out.println();
    out.println("USAGE");
    for (String line : command.getUsageMessage(CommandLine.Help.Ansi.OFF).split("\n")) {
      out.println("    " + line);
    }
    out.println();
    for (CommandLine sub : command.getSubcommands().values()) {
      if (sub.getCommandSpec().parent() == spec && !sub.getCommandName().equals("help")) {
        print(sub, out);
      }
    }
  }
}
