package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** flywall(8) as the package installs it: complete against the command model, and valid roff. */
class ManPageTest {
  private static final String PAGE =
      new ManPage("1.2.3", LocalDate.of(2026, 1, 2)).render(Main.commandLine());

  @TempDir Path dir;

  private static List<CommandSpec> commands(CommandSpec spec) {
    List<CommandSpec> all = new ArrayList<>();
    for (CommandLine sub : spec.subcommands().values()) {
      CommandSpec child = sub.getCommandSpec();
      if (child.parent() == spec && !(child.userObject() instanceof CommandLine.HelpCommand)) {
        all.add(child);
        all.addAll(commands(child));
      }
    }
    return all;
  }

  /** The text of one command's subsection, up to the next subsection or section. */
  private static String subsection(String qualifiedName) {
    String heading = ".SS \"" + ManPage.escape(qualifiedName) + "\"\n";
    int start = PAGE.indexOf(heading);
    assertThat(start).as("subsection of %s", qualifiedName).isNotNegative();
    int from = start + heading.length();
    int next = PAGE.indexOf("\n.S", from);
    return PAGE.substring(from, next < 0 ? PAGE.length() : next);
  }

  @Test
  void everyCommandHasASubsectionListingEachOfItsOwnOptionsAndParameters() {
    List<CommandSpec> commands = commands(Main.commandLine().getCommandSpec());
    assertThat(commands).hasSizeGreaterThan(20);
    for (CommandSpec command : commands) {
      String text = subsection(command.qualifiedName(" "));
      List<OptionSpec> clientOptions =
          command.mixins().containsKey("options")
              ? command.mixins().get("options").options()
              : List.of();
      for (OptionSpec option : command.options()) {
        boolean shared =
            option.usageHelp()
                || option.versionHelp()
                || clientOptions.stream()
                    .anyMatch(c -> c.longestName().equals(option.longestName()));
        if (!shared) {
          assertThat(text)
              .as("%s %s", command.qualifiedName(), option.longestName())
              .contains(".TP\n\\fB" + ManPage.escape(option.names()[0]) + "\\fR");
        }
      }
      command
          .positionalParameters()
          .forEach(
              p ->
                  assertThat(text).contains(".TP\n\\fI" + ManPage.escape(p.paramLabel()) + "\\fR"));
      if (!clientOptions.isEmpty()) {
        assertThat(text).contains("It takes the client options (see CLIENT OPTIONS).");
      }
    }
  }

  @Test
  void theSharedOptionsAreDescribedOnce() {
    String client =
        PAGE.substring(
            PAGE.indexOf(".SH \"CLIENT OPTIONS\""), PAGE.indexOf(".SH \"GENERAL OPTIONS\""));
    for (String name : List.of("\\-\\-api", "\\-\\-config", "\\-\\-token\\-file", "\\-\\-json")) {
      assertThat(client).contains("\\fB" + name + "\\fR");
    }
    assertThat(PAGE).contains(".SH \"GENERAL OPTIONS\"\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR");
  }

  @Test
  void exitStatusesAndExamplesOfTheModelAreInThePage() {
    String exitStatus = PAGE.substring(PAGE.indexOf(".SH \"EXIT STATUS\""));
    for (String code : List.of("0", "1", "2", "3", "70", "127")) {
      assertThat(exitStatus).contains(".TP\n\\fB" + code + "\\fR\n");
    }
    String check = subsection("flywall ha check");
    assertThat(check)
        .contains("Exit status:")
        .contains("\\fB3\\fR\nUNKNOWN: the daemon's API cannot be reached")
        .contains(".nf\n\\&flywall ha check \\-\\-warn\\-lag 5s \\-\\-crit\\-lag 30s\n.fi");
    assertThat(PAGE)
        .contains(".SH EXAMPLES")
        .contains("\\&flywall ha failover \\-\\-to fw2")
        .startsWith(".TH FLYWALL 8 \"2026-01-02\" \"flywall 1.2.3\" \"Flywall HA\"\n");
  }

  @Test
  void noLineOfTextCanBeMistakenForARoffRequest() {
    for (String line : PAGE.split("\n")) {
      if (line.startsWith(".") || line.startsWith("'")) {
        assertThat(line).as("a request").matches("\\.(TH|SH|SS|PP|TP|RS|RE|nf|fi|nh|ad|B|I) ?.*");
      }
    }
  }

  @Test
  void manRendersThePageWithoutWarningsAndLexgrogFindsItsName() throws Exception {
    assumeTrue(onPath("man") && onPath("lexgrog"), "man-db is not installed");
    Path file = dir.resolve("flywall.8");
    Files.writeString(file, PAGE);

    Process man =
        new ProcessBuilder("man", "--warnings=w", "-l", file.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    man.getOutputStream().close();
    String rendered = read(man.getInputStream());
    String warnings = read(man.getErrorStream());
    assertThat(man.waitFor(60, TimeUnit.SECONDS)).isTrue();
    Process lexgrog = new ProcessBuilder("lexgrog", file.toString()).start();
    String whatis = read(lexgrog.getInputStream());
    assertThat(lexgrog.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(warnings).isEmpty();
    // ASCII hyphens, so that an option copied from the page works.
    assertThat(rendered).contains("--warn-lag=DURATION").contains("flywall ha check");
    assertThat(whatis)
        .contains("\"flywall - high-availability daemon of a Linux firewall/router\"");
  }

  @Test
  void theManualCommandPrintsThePage() {
    ClientCommandsTest.Result result = ClientCommandsTest.runRaw("manual", "--roff");

    assertThat(result.exit()).isZero();
    assertThat(result.out()).startsWith(".TH FLYWALL 8 ").contains(".SS \"flywall ha check\"");
  }

  private static boolean onPath(String command) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(directory, command))) {
        return true;
      }
    }
    return false;
  }

  private static String read(java.io.InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
