package io.flywall.conntrack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one conntrackd running as a child of this process: replaces one a killed daemon left
 * behind, starts it, notices when it ended, starts it again after a growing delay, and stops it
 * through its handle on close. Its pid is kept in a file while it runs. Driven by {@link
 * #tick(Instant)} so its timing can be tested without waiting.
 */
public final class ConntrackdSupervisor {
  private static final Logger log = LoggerFactory.getLogger(ConntrackdSupervisor.class);
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final ConntrackdFiles files;
  private final ConntrackdControl control;
  private final ProcessLauncher launcher;
  private final RestartBackoff backoff;
  private final OrphanedConntrackd orphans;
  private ProcessLauncher.Child child;
  private Instant startedAt;
  private Instant nextStart;
  private int failures;
  private long starts;
  private String lastProblem = "";
  private boolean closed;

  public ConntrackdSupervisor(
      ConntrackdFiles files,
      ConntrackdControl control,
      ProcessLauncher launcher,
      RestartBackoff backoff,
      OrphanedConntrackd orphans) {
    this.files = files;
    this.control = control;
    this.launcher = launcher;
    this.backoff = backoff;
    this.orphans = orphans;
  }

  /**
   * What a tick found. {@code started} is true when conntrackd was (re)started in this tick; {@code
   * orphan} says what was done about a conntrackd of a previous run before that start.
   */
  public record Check(
      boolean running,
      boolean started,
      Optional<String> problem,
      Optional<OrphanedConntrackd.Outcome> orphan) {
    Check(boolean running, boolean started, Optional<String> problem) {
      this(running, started, problem, Optional.empty());
    }
  }

  public synchronized Check tick(Instant now) {
    if (closed) {
      return new Check(false, false, Optional.of("stopped"));
    }
    if (child != null) {
      OptionalInt exit = child.exitCode();
      if (exit.isEmpty()) {
        return new Check(true, false, Optional.empty());
      }
      boolean ranLong = !Duration.between(startedAt, now).minus(backoff.stable()).isNegative();
      failures = ranLong ? 1 : failures + 1;
      lastProblem =
          "conntrackd (pid "
              + child.pid()
              + ") exited with code "
              + exit.getAsInt()
              + lastError()
              + "; restarting in "
              + backoff.delayAfter(failures).toMillis()
              + " ms";
      nextStart = now.plus(backoff.delayAfter(failures));
      child = null;
      removePidFile();
      return new Check(false, false, Optional.of(lastProblem));
    }
    if (nextStart != null && now.isBefore(nextStart)) {
      return new Check(false, false, Optional.of(lastProblem));
    }
    Optional<OrphanedConntrackd.Outcome> orphan = Optional.empty();
    try {
      orphan =
          Optional.of(orphans.clear(files)).filter(o -> o.kind() != OrphanedConntrackd.Kind.NONE);
      start(now);
      return new Check(true, true, Optional.empty(), orphan);
    } catch (ConntrackSyncException | IOException e) {
      failures++;
      nextStart = now.plus(backoff.delayAfter(failures));
      lastProblem =
          "cannot start conntrackd: "
              + e.getMessage()
              + "; retrying in "
              + backoff.delayAfter(failures).toMillis()
              + " ms";
      return new Check(false, false, Optional.of(lastProblem), orphan);
    }
  }

  private void start(Instant now) throws ConntrackSyncException, IOException {
    if (Files.exists(files.lock())) {
      if (control.answers()) {
        // Not the one our pid file named (that one is gone by now): never kill a stranger.
        throw new ConntrackSyncException(
            "another conntrackd already runs with "
                + files.config()
                + " (lock "
                + files.lock()
                + "), not started by flywall; stop that process first");
      }
      // A lock without a daemon behind it is left over from a crash; conntrackd would refuse to
      // start.
      Files.deleteIfExists(files.lock());
    }
    Files.createDirectories(files.socket().getParent());
    Files.deleteIfExists(files.socket());
    child = launcher.launch(List.of("conntrackd", "-C", files.config().toString()), files.output());
    startedAt = now;
    starts++;
    try {
      writePidFile(child.pid());
    } catch (IOException e) {
      // It runs all the same; only a killed daemon's heir would not find it.
      log.warn("cannot write {}: {}", files.pid(), e.getMessage());
    }
  }

  /**
   * Written beside the config (then moved into place whole), so a killed daemon's heir finds it.
   */
  private void writePidFile(long pid) throws IOException {
    Path partial = files.pid().resolveSibling(files.pid().getFileName() + ".new");
    Files.writeString(partial, pid + "\n", StandardCharsets.UTF_8);
    Files.move(
        partial, files.pid(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void removePidFile() {
    try {
      Files.deleteIfExists(files.pid());
    } catch (IOException e) {
      // A pid file left behind names a process that has ended; the next start sees that.
    }
  }

  /** The last "[ERROR]" line conntrackd wrote, which says why it refused to run. */
  private String lastError() {
    try {
      if (!Files.exists(files.output())) {
        return "";
      }
      List<String> lines = Files.readAllLines(files.output(), StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0 && i >= lines.size() - 50; i--) {
        if (lines.get(i).contains("[ERROR]")) {
          return ": " + lines.get(i).replaceFirst("^\\[[^]]*]\\s*\\(pid=\\d+\\)\\s*", "");
        }
      }
      return "";
    } catch (IOException e) {
      return "";
    }
  }

  public synchronized boolean running() {
    return child != null && child.exitCode().isEmpty();
  }

  /** Times conntrackd was started; more than one means it was restarted. */
  public synchronized long starts() {
    return starts;
  }

  public synchronized Optional<Long> pid() {
    return child == null ? Optional.empty() : Optional.of(child.pid());
  }

  public synchronized String lastProblem() {
    return lastProblem;
  }

  /** Stops conntrackd (SIGTERM, then SIGKILL after a grace period) and never starts it again. */
  public synchronized void stop() {
    closed = true;
    if (child != null) {
      child.stop(STOP_GRACE);
      child = null;
      removePidFile();
    }
  }
}
