package io.flywall.conntrack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Finds the conntrackd that a killed daemon left running for a channel, by the pid file the
 * supervisor writes beside the channel's config, and stops it (SIGTERM, then SIGKILL after a grace
 * period) so a fresh one can take the channel's port, lock and socket. The process is touched only
 * when its command line is conntrackd started with this channel's config: a pid now held by another
 * program is left alone.
 */
public final class OrphanedConntrackd {
  private final ProcessTable processes;
  private final Duration grace;

  public OrphanedConntrackd(ProcessTable processes, Duration grace) {
    this.processes = processes;
    this.grace = grace;
  }

  /** What the pid file led to. */
  public enum Kind {
    /** No pid file: the last conntrackd was stopped cleanly, or none ever ran. */
    NONE,
    /** A pid file whose content is not a pid. */
    UNREADABLE,
    /** The process of the pid file has ended. */
    GONE,
    /** The pid now belongs to another program, which was left alone. */
    NOT_OURS,
    /** Our orphaned conntrackd ended after SIGTERM. */
    STOPPED,
    /** Our orphaned conntrackd ignored SIGTERM for the grace period and was killed. */
    KILLED
  }

  /** {@code detail} is one sentence for the log; empty for {@link Kind#NONE}. */
  public record Outcome(Kind kind, long pid, String detail) {
    /** Whether a running conntrackd was stopped, which the operator should hear about. */
    public boolean replaced() {
      return kind == Kind.STOPPED || kind == Kind.KILLED;
    }
  }

  /**
   * Deals with whatever the pid file of {@code files} points at and removes the file; throws when
   * our orphan outlives SIGKILL, since a second conntrackd beside it could not work.
   */
  public Outcome clear(ConntrackdFiles files) throws ConntrackSyncException {
    Path pidFile = files.pid();
    if (!Files.exists(pidFile)) {
      return new Outcome(Kind.NONE, 0, "");
    }
    Outcome outcome = examine(pidFile, files.config());
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new ConntrackSyncException(
          "cannot remove the stale pid file " + pidFile + ": " + e.getMessage());
    }
    return outcome;
  }

  private Outcome examine(Path pidFile, Path config) throws ConntrackSyncException {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
    } catch (IOException | NumberFormatException e) {
      return new Outcome(Kind.UNREADABLE, 0, "removed the unreadable pid file " + pidFile);
    }
    Optional<ProcessTable.Running> found = processes.find(pid);
    if (found.isEmpty()) {
      return new Outcome(
          Kind.GONE, pid, "the conntrackd of the last run (pid " + pid + ") has ended");
    }
    ProcessTable.Running process = found.get();
    if (!startedFor(process.commandLine(), config)) {
      return new Outcome(
          Kind.NOT_OURS,
          pid,
          "pid "
              + pid
              + " of the last run's conntrackd now belongs to '"
              + String.join(" ", process.commandLine())
              + "'; left alone");
    }
    process.signal(false);
    if (process.awaitExit(grace)) {
      return new Outcome(
          Kind.STOPPED,
          pid,
          "stopped the conntrackd (pid "
              + pid
              + ") a killed daemon left running with "
              + config
              + " (SIGTERM); starting a fresh one");
    }
    process.signal(true);
    if (process.awaitExit(grace)) {
      return new Outcome(
          Kind.KILLED,
          pid,
          "killed the conntrackd (pid "
              + pid
              + ") a killed daemon left running with "
              + config
              + " (SIGKILL after "
              + grace.toMillis()
              + " ms without ending on SIGTERM); starting a fresh one");
    }
    throw new ConntrackSyncException(
        "the conntrackd (pid "
            + pid
            + ") a killed daemon left running with "
            + config
            + " does not end even on SIGKILL; stop it by hand");
  }

  /** Whether {@code argv} is conntrackd started with exactly {@code config}. */
  static boolean startedFor(List<String> argv, Path config) {
    if (argv.isEmpty()) {
      return false;
    }
    String program = argv.get(0);
    if (!program.substring(program.lastIndexOf('/') + 1).equals("conntrackd")) {
      return false;
    }
    for (int i = 1; i + 1 < argv.size(); i++) {
      if (argv.get(i).equals("-C") && argv.get(i + 1).equals(config.toString())) {
        return true;
      }
    }
    return false;
  }
}
