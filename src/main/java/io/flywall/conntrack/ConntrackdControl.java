package io.flywall.conntrack;

import io.flywall.network.CommandResult;
import io.flywall.network.CommandRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Talks to a running conntrackd through its control socket ({@code conntrackd -C CONF -x}). */
public final class ConntrackdControl {
  /** A commit of a full cache writes every entry to the kernel: allow it far more than the rest. */
  static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(120);

  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final CommandRunner runner;
  private final Path config;

  public ConntrackdControl(CommandRunner runner, Path config) {
    this.runner = runner;
    this.config = config;
  }

  /** Writes the external cache (the peer's connections) into the kernel's table. */
  public void commit() throws ConntrackSyncException {
    run(COMMIT_TIMEOUT, "-c");
  }

  /** Empties the internal and external caches. */
  public void flushCaches() throws ConntrackSyncException {
    run(COMMAND_TIMEOUT, "-f");
  }

  /** Refills the internal cache from the kernel's table, which now holds every connection. */
  public void resyncFromKernel() throws ConntrackSyncException {
    run(COMMAND_TIMEOUT, "-R");
  }

  /** Sends every connection this node owns to the peer. */
  public void bulkSend() throws ConntrackSyncException {
    run(COMMAND_TIMEOUT, "-B");
  }

  /** Shortens the kernel timers of connections this node no longer owns (PurgeTimeout). */
  public void purgeTimers() throws ConntrackSyncException {
    run(COMMAND_TIMEOUT, "-t");
  }

  /** Asks the peer for its whole table. */
  public void requestResync() throws ConntrackSyncException {
    run(COMMAND_TIMEOUT, "-n");
  }

  public ConntrackdStats stats() throws ConntrackSyncException {
    return ConntrackdStats.parse(run(COMMAND_TIMEOUT, "-s").stdout());
  }

  /** Whether a conntrackd answers on this configuration's control socket. */
  public boolean answers() {
    return runner.run(argv("-s"), COMMAND_TIMEOUT).ok();
  }

  private List<String> argv(String option) {
    List<String> argv = new ArrayList<>(List.of("conntrackd", "-C", config.toString()));
    argv.add(option);
    return argv;
  }

  private CommandResult run(Duration timeout, String option) throws ConntrackSyncException {
    CommandResult result = runner.run(argv(option), timeout);
    if (!result.ok()) {
      throw new ConntrackSyncException(result.describe());
    }
    return result;
  }
}
