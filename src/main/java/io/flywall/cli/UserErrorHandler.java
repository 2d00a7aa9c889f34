package io.flywall.cli;

import picocli.CommandLine;

/**
 * Turns exceptions a user can cause into one clear line and an exit code; a stack trace only for
 * real bugs, and only with FLYWALL_DEBUG=1.
 */
final class UserErrorHandler implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception ex, CommandLine cli, CommandLine.ParseResult parsed) {
    if (ex instanceof UserError user) {
      cli.getErr().println(LogLinePrefix.onStandardError("flywall: " + user.getMessage(), 3));
      return user.exitCode();
    }
    cli.getErr().println(LogLinePrefix.onStandardError("flywall: internal error: " + ex, 3));
    if ("1".equals(System.getenv("FLYWALL_DEBUG"))) {
      ex.printStackTrace(cli.getErr());
    } else {
      cli.getErr().println("flywall: set FLYWALL_DEBUG=1 to see the stack trace, and report it.");
    }
    return 70;
  }
}
