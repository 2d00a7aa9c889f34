package io.flywall.network;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signals a whole process group. A script runs as the leader of a session of its own ({@code
 * setsid}), so the group whose id is its pid holds everything it started that did not leave on
 * purpose, also children already re-parented to init, which no longer show as its descendants.
 */
final class ProcessGroup {
  static final int SIGTERM = 15;
  static final int SIGKILL = 9;

  /** The one libc call needed; null when JNA cannot load, then the {@code kill} command does it. */
  private interface Signals extends Library {
    int kill(int pid, int signal) throws LastErrorException;
  }

  private static final Signals LIBC = load();

  private ProcessGroup() {}

  /**
   * Sends {@code signal} to the group led by {@code leader}. Harmless when there is no such group
   * (every member gone): a group id is never reused while a member lives.
   */
  static void signal(long leader, int signal) {
    if (leader <= 1) {
      return;
    }
    if (LIBC != null) {
      try {
        LIBC.kill((int) -leader, signal);
      } catch (LastErrorException e) {
        // ESRCH: the group is gone already.
      }
      return;
    }
    try {
      Process kill =
          new ProcessBuilder(List.of("kill", "-" + signal, "--", "-" + leader))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      kill.waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // No kill command either: the process tree walk of the caller still runs.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Signals load() {
    try {
      return Native.load("c", Signals.class);
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }
}
