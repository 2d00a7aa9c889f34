package io.flywall.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The whole manual: every command's full help in one man-style page (pipe it to less). */
@Command(
    name = "manual",
    mixinStandardHelpOptions = true,
    description = {
      "Print the full manual: every command with its options, as plain text.",
      "With --roff, print it as the man page flywall(8) instead; the Debian package installs that"
          + " page, so 'man flywall' shows it."
    },
    footerHeading = "%nExamples:%n",
    footer = {"  flywall manual | less", "  flywall manual --roff | man -l -"})
final class ManualCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--roff",
      description = "Print the manual as a roff man page, flywall(8), for man(1).")
  boolean roff;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    if (roff) {
      String version = Main.class.getPackage().getImplementationVersion();
      out.print(
          new ManPage(version == null ? "development build" : version, pageDate())
              .render(spec.root().commandLine()));
      out.flush();
      return;
    }
    out.println(
        "FLYWALL(8)                      Flywall HA manual                      FLYWALL(8)");
    out.println();
    print(spec.root().commandLine(), out);
    out.flush();
  }

  /**
   * The build's date when SOURCE_DATE_EPOCH is set (reproducible packages), else today's, as man
   * pages carry it.
   */
  private static LocalDate pageDate() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    if (epoch != null && epoch.matches("\\d{1,12}")) {
      return LocalDate.ofInstant(Instant.ofEpochSecond(Long.parseLong(epoch)), ZoneOffset.UTC);
    }
    return LocalDate.now(ZoneOffset.UTC);
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
