package io.flywall.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** Prints a bash completion script generated from the command model, so it never drifts. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a bash completion script for flywall.",
      "The Debian package installs it; from a source checkout, install it with: flywall"
          + " completion > /etc/bash_completion.d/flywall"
    })
final class CompletionCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    CommandLine root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash("flywall", root));
    spec.commandLine().getOut().flush();
  }
}
