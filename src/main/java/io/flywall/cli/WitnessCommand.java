package io.flywall.cli;

import io.flywall.config.FlywallConfig;
import io.flywall.node.NodeStartException;
import io.flywall.node.Witness;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flywall witness}: a tie-breaking voter for a two-node cluster. */
@Command(
    name = "witness",
    mixinStandardHelpOptions = true,
    description = {
      "Run a witness: a voter that only exchanges heartbeats (no VIPs, no state), so that a"
          + " two-node cluster whose nodes set witness_addr has a majority.",
      "Its config uses the same file format: node_id, listen_addr (host), peer_addrs or"
          + " peer_addr, secret_key, and ha { heartbeat_port, heartbeat_interval,"
          + " failure_threshold }."
    },
    footerHeading = "%nExample:%n",
    footer = {"  flywall witness --config /etc/flywall/witness.hcl"})
final class WitnessCommand implements Callable<Integer> {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(WitnessCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The witness's config file.")
  Path config;

  @Override
  public Integer call() throws Exception {
    FlywallConfig loaded = DaemonConfig.load(config, spec.commandLine().getErr());
    Witness witness;
    try {
      witness = Witness.start(loaded, Clock.systemUTC());
    } catch (NodeStartException e) {
      throw new UserError("cannot start the witness: " + e.getMessage());
    }
    DaemonSignals.runUntilStopped(
        witness,
        () ->
            log.info(
                "SIGHUP: a witness has nothing to reload; restart it to apply a changed config"));
    return 0;
  }
}
