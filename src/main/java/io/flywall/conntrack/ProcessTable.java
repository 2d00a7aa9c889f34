package io.flywall.conntrack;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The processes of this machine, as far as finding and stopping a conntrackd left behind by a
 * killed daemon needs them; the seam that lets that decision be tested without real processes.
 */
public interface ProcessTable {

  /** The process running as {@code pid} now; empty when none does. */
  Optional<Running> find(long pid);

  /**
   * One process, bound to it and not to its pid: once it has ended, nothing done through this
   * reaches a process that took the pid over.
   */
  interface Running {
    long pid();

    /** Its argument vector, as it was when it was found. */
    List<String> commandLine();

    /** Asks it to end (SIGTERM), or kills it (SIGKILL) when {@code forcibly}. */
    void signal(boolean forcibly);

    /** Waits at most {@code timeout} for it to end; whether it has ended. */
    boolean awaitExit(Duration timeout);
  }
}
