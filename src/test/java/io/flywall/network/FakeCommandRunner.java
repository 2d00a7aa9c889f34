package io.flywall.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A {@link CommandRunner} that answers from a function and records every command it was given. */
final class FakeCommandRunner implements CommandRunner {

  private final Function<List<String>, CommandResult> answers;
  final List<List<String>> commands = new ArrayList<>();

  FakeCommandRunner(Function<List<String>, CommandResult> answers) {
    this.answers = answers;
  }

  @Override
  public synchronized CommandResult run(List<String> argv, Duration timeout) {
    commands.add(List.copyOf(argv));
    return answers.apply(argv);
  }

  static CommandResult ok(List<String> argv, String stdout) {
    return new CommandResult(argv, 0, stdout, "", false);
  }

  static CommandResult failed(List<String> argv, int exit, String stdout, String stderr) {
    return new CommandResult(argv, exit, stdout, stderr, false);
  }
}
