package io.flywall.cli;

import io.flywall.config.FlywallConfig;
import io.flywall.node.Daemon;
import io.flywall.node.NodeEffects;
import io.flywall.node.NodeStartException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flywall run}: the daemon, in the foreground, logging to stdout (systemd-friendly). */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the HA daemon in the foreground (logs to stdout; stop with SIGTERM or Ctrl-C).",
      "A primary that is stopped hands its role over to the best backup first."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "1:the daemon could not start (message says why)",
      "2:the config is invalid",
      "127:an OS tool the config needs is missing (message names the package)"
    })
final class RunCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "/etc/flywall/flywall.hcl",
      description = "Config file (default: ${DEFAULT-VALUE})")
  Path config;

  @Override
  public Integer call() throws Exception {
    FlywallConfig loaded = DaemonConfig.load(config, spec.commandLine().getErr());
    Daemon daemon;
    try {
      daemon = Daemon.start(loaded, Clock.systemUTC(), NodeEffects.real(loaded, Clock.systemUTC()));
    } catch (NodeStartException e) {
      throw new UserError(
          "cannot start: " + e.getMessage(), e.getMessage().contains("apt-get install") ? 127 : 1);
    }
    DaemonConfig.runUntilStopped(daemon);
    return 0;
  }
}
