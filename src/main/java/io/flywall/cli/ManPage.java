package io.flywall.cli;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The man page flywall(8) in roff, rendered from the picocli command model so that it lists exactly
 * the commands and options the program has. Written directly rather than through picocli-codegen's
 * AsciiDoc and asciidoctor: one page instead of one per subcommand, and no Ruby at build time.
 */
final class ManPage {
  /** The section of system administration commands: flywall runs as root. */
  static final int SECTION = 8;

  private static final String CLIENT_OPTIONS_MIXIN = "options";

  private final String version;
  private final LocalDate date;
  private final StringBuilder out = new StringBuilder();

  ManPage(String version, LocalDate date) {
    this.version = version;
    this.date = date;
  }

  String render(CommandLine root) {
    CommandSpec spec = root.getCommandSpec();
    line(".TH FLYWALL " + SECTION + " \"" + date + "\" \"flywall " + version + "\" \"Flywall HA\"");
    // Left-aligned, unhyphenated: option names and paths must copy exactly.
    line(".nh");
    line(".ad l");
    section("NAME");
    // One plain line: lexgrog reads it for the whatis database (man -k).
    line("flywall \\- " + escape(firstSentence(spec.usageMessage().description())));
    section("SYNOPSIS");
    line(".B flywall");
    line(".I COMMAND");
    line("[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]");
    section("DESCRIPTION");
    paragraph(spec.usageMessage().description());
    paragraph(
        "The daemon commands (run, witness) run in the foreground and log to standard output;"
            + " under systemd the flywall.service and flywall-witness.service units run them and"
            + " journald keeps the log. The client commands talk to the local daemon's HTTP API,"
            + " whose address and token they read from the daemon's config file.");
    section("COMMANDS");
    List<CommandSpec> commands = new ArrayList<>();
    collect(spec, commands);
    Set<String> clientOptions = new LinkedHashSet<>();
    for (CommandSpec command : commands) {
      command(command, clientOptions);
    }
    if (!clientOptions.isEmpty()) {
      section("CLIENT OPTIONS");
      paragraph(
          "Every client command (those marked 'and the client options' above) takes these"
              + " options, which say where the daemon's API and token are.");
      CommandSpec withMixin =
          commands.stream()
              .filter(c -> c.mixins().containsKey(CLIENT_OPTIONS_MIXIN))
              .findFirst()
              .orElseThrow();
      for (OptionSpec option : withMixin.mixins().get(CLIENT_OPTIONS_MIXIN).options()) {
        option(option);
      }
    }
    section("GENERAL OPTIONS");
    for (OptionSpec option : spec.options()) {
      option(option);
    }
    paragraph("Every command takes them.");
    section("EXIT STATUS");
    exitCodes(spec.usageMessage().exitCodeList());
    section("FILES");
    item(
        "/etc/flywall/flywall.hcl",
        "The node's config (see flywall config check). It holds the cluster's secret_key: keep it"
            + " mode 0600.");
    item(
        "/etc/flywall/witness.hcl",
        "The witness's config, read by flywall-witness.service when it exists.");
    item(
        "/var/lib/flywall/",
        "The state directory (state_dir): state.db (replicated state, history, epoch), api.token"
            + " (the API token, 0600), the boot id, conntrackd's files.");
    item(
        "/etc/default/flywall",
        "Optional environment for the systemd units, e.g. FLYWALL_JAVA_OPTS=\"-Xmx256m\".");
    section("ENVIRONMENT");
    item("FLYWALL_JAVA_OPTS", "Options for the Java virtual machine, e.g. -Xmx256m.");
    item("FLYWALL_LOG_LEVEL", "The daemon's log level: ERROR, WARN, INFO (default) or DEBUG.");
    item("FLYWALL_DEBUG", "Set to 1 to see the stack trace of an internal error (exit status 70).");
    String[] footer = spec.usageMessage().footer();
    if (footer.length > 0) {
      section("EXAMPLES");
      footer(footer);
    }
    section("SEE ALSO");
    line("systemctl(1), journalctl(1), ip(8), arping(8), conntrackd(8)");
    return out.toString();
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    for (CommandLine sub : spec.subcommands().values()) {
      CommandSpec child = sub.getCommandSpec();
      // Aliases map to the same spec more than once; picocli's help command is not a command.
      if (child.parent() == spec
          && !into.contains(child)
          && !(child.userObject() instanceof CommandLine.HelpCommand)) {
        into.add(child);
        collect(child, into);
      }
    }
  }

  private void command(CommandSpec command, Set<String> clientOptions) {
    line(".SS \"" + escape(command.qualifiedName(" ")) + "\"");
    List<String> synopsis = new ArrayList<>();
    for (OptionSpec option : command.options()) {
      if (!option.usageHelp() && !option.versionHelp()) {
        synopsis.add(
            (option.required() ? "" : "[")
                + "\\fB"
                + escape(option.longestName())
                + "\\fR"
                + (option.arity().max() > 0 ? "=\\fI" + escape(option.paramLabel()) + "\\fR" : "")
                + (option.required() ? "" : "]"));
      }
    }
    for (PositionalParamSpec parameter : command.positionalParameters()) {
      synopsis.add("\\fI" + escape(parameter.paramLabel()) + "\\fR");
    }
    boolean hasSubcommands =
        command.subcommands().values().stream()
            .anyMatch(c -> !(c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand));
    if (hasSubcommands) {
      synopsis.add("\\fICOMMAND\\fR");
    }
    line(".PP");
    line("\\fB" + escape(command.qualifiedName(" ")) + "\\fR " + String.join(" ", synopsis));
    paragraph(command.usageMessage().description());
    List<OptionSpec> own = new ArrayList<>();
    boolean client = command.mixins().containsKey(CLIENT_OPTIONS_MIXIN);
    Set<OptionSpec> fromMixin =
        client
            ? Set.copyOf(command.mixins().get(CLIENT_OPTIONS_MIXIN).options())
            : Set.<OptionSpec>of();
    for (OptionSpec option : command.options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      if (client
          && fromMixin.stream().anyMatch(m -> m.longestName().equals(option.longestName()))) {
        clientOptions.add(option.longestName());
        continue;
      }
      own.add(option);
    }
    if (!command.positionalParameters().isEmpty() || !own.isEmpty()) {
      line(".RS");
      for (PositionalParamSpec parameter : command.positionalParameters()) {
        roffItem("\\fI" + escape(parameter.paramLabel()) + "\\fR", rendered(parameter));
      }
      for (OptionSpec option : own) {
        option(option);
      }
      line(".RE");
    }
    if (client) {
      paragraph("It takes the client options (see CLIENT OPTIONS).");
    }
    Map<String, String> exitCodes = command.usageMessage().exitCodeList();
    // The common list is printed once, under EXIT STATUS; only a command's own list is repeated.
    if (!exitCodes.isEmpty() && !exitCodes.equals(command.root().usageMessage().exitCodeList())) {
      line(".PP");
      line("Exit status:");
      line(".RS");
      exitCodes(exitCodes);
      line(".RE");
    }
    String[] footer = command.usageMessage().footer();
    if (footer.length > 0) {
      line(".PP");
      line(escape(format(command.usageMessage().footerHeading()).strip()));
      line(".RS");
      footer(footer);
      line(".RE");
    }
  }

  private void option(OptionSpec option) {
    String names =
        java.util.Arrays.stream(option.names())
            .map(n -> "\\fB" + escape(n) + "\\fR")
            .collect(Collectors.joining(", "));
    String value = option.arity().max() > 0 ? "=\\fI" + escape(option.paramLabel()) + "\\fR" : "";
    roffItem(names + value, rendered(option));
  }

  private void exitCodes(Map<String, String> codes) {
    codes.forEach((code, meaning) -> roffItem("\\fB" + escape(code.strip()) + "\\fR", meaning));
  }

  /** Prose lines are filled; lines indented by two spaces are examples and kept as they are. */
  private void footer(String[] lines) {
    List<String> prose = new ArrayList<>();
    boolean inExample = false;
    for (String raw : lines) {
      String text = format(raw);
      if (text.startsWith("  ")) {
        if (!inExample) {
          paragraph(prose);
          prose.clear();
          line(".PP");
          line(".nf");
          inExample = true;
        }
        line("\\&" + escape(text.strip()));
      } else {
        if (inExample) {
          line(".fi");
          inExample = false;
        }
        if (text.isBlank()) {
          paragraph(prose);
          prose.clear();
        } else {
          prose.add(text);
        }
      }
    }
    if (inExample) {
      line(".fi");
    }
    paragraph(prose);
  }

  private void section(String name) {
    line(".SH " + (name.contains(" ") ? "\"" + name + "\"" : name));
  }

  private void item(String term, String text) {
    roffItem("\\fB" + escape(term) + "\\fR", text);
  }

  /** A tagged paragraph whose tag is already roff (fonts, escapes). */
  private void roffItem(String roffTerm, String text) {
    line(".TP");
    line(roffTerm);
    line(escape(text));
  }

  private void paragraph(String... lines) {
    paragraph(List.of(lines));
  }

  private void paragraph(List<String> lines) {
    String text =
        lines.stream().map(ManPage::format).map(String::strip).collect(Collectors.joining(" "));
    if (!text.isBlank()) {
      line(".PP");
      line(escape(text));
    }
  }

  private static String rendered(ArgSpec arg) {
    return java.util.Arrays.stream(arg.renderedDescription())
        .map(ManPage::format)
        .map(String::strip)
        .collect(Collectors.joining(" "));
  }

  private static String firstSentence(String[] description) {
    String first = description.length == 0 ? "" : format(description[0]);
    int stop = first.indexOf(": ");
    String head = stop > 0 ? first.substring(0, stop) : first;
    head = head.endsWith(".") ? head.substring(0, head.length() - 1) : head;
    return head.isEmpty() ? head : Character.toLowerCase(head.charAt(0)) + head.substring(1);
  }

  /** picocli passes description text through String.format; only these specifiers occur. */
  private static String format(String text) {
    return text.replace("%n", "\n").replace("%%", "%");
  }

  /** Escapes text for roff: backslashes, minus signs (so options copy as ASCII), control lines. */
  static String escape(String text) {
    String escaped = text.replace("\\", "\\e").replace("-", "\\-").replace("\n", " ");
    return escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" + escaped : escaped;
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
