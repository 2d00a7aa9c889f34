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
      "Run the HA daemon in the foreground. It logs to standard output; stop it with SIGTERM or"
          + " Ctrl-C.",
      "A primary that is stopped hands its role over to the best backup first. A node that"
          + " starts removes VIPs that a crash left on its interfaces before it claims anything.",
      "SIGHUP re-reads the config (as 'flywall reload' does): priority, failback settings, VIPs,"
          + " monitors and scripts change without a restart; a config that does not pass 'config"
          + " check', or that changes anything else, is refused and the daemon keeps its old one."
    },
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:Stopped by SIGTERM or SIGINT (a primary hands over first).",
      "1:The daemon could not start (another one runs with this state_dir: 'already running (pid"
          + " N)'); the message says why.",
      "2:The config is invalid; nothing was started.",
      "127:An OS tool the config needs is missing; the message names the Debian package."
    },
    footerHeading = "%nExample:%n",
    footer = {"  flywall run --config /etc/flywall/flywall.hcl"})
final class RunCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "/etc/flywall/flywall.hcl",
      description = "The config file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Override
  public Integer call() throws Exception {
    FlywallConfig loaded = DaemonConfig.load(config, spec.commandLine().getErr());
    Daemon daemon;
    try {
      daemon =
          Daemon.start(
              loaded,
              java.util.Optional.of(config),
              Clock.systemUTC(),
              // Opened by the daemon once Argon2id runs beside it.
              () -> NodeEffects.real(loaded, Clock.systemUTC()));
    } catch (NodeStartException e) {
      throw new UserError(
          "cannot start: " + e.getMessage(), e.getMessage().contains("apt-get install") ? 127 : 1);
    }
    Daemon running = daemon;
    // The outcome is logged (and recorded in the history) by the reload itself.
    DaemonSignals.runUntilStopped(daemon, running::reload);
    return 0;
  }
}
