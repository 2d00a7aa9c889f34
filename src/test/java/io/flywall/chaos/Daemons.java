package io.flywall.chaos;

import io.flywall.lab.LabCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The nodes' daemon processes and what the run knows of them: every start, kill, freeze and thaw
 * goes through here and is recorded, so that an exit nobody asked for shows as a crash.
 */
final class Daemons {
  private final LabCluster cluster;
  private final HistoryLog log;
  private final History.DaemonState[] states;

  Daemons(LabCluster cluster, int nodes, HistoryLog log) {
    this.cluster = cluster;
    this.log = log;
    this.states = new History.DaemonState[nodes + 1];
  }

  int nodes() {
    return states.length - 1;
  }

  private void set(int k, History.DaemonState state, String detail) {
    states[k] = state;
    log.daemon(k, state, detail);
  }

  synchronized void start(int k) throws IOException {
    cluster.start(k);
    set(k, History.DaemonState.STARTED, "pid " + pid(k).orElse(-1L));
  }

  synchronized void powerOn(int k) throws IOException {
    cluster.powerOn(k);
    set(k, History.DaemonState.STARTED, "power on, pid " + pid(k).orElse(-1L));
  }

  synchronized void kill(int k) throws InterruptedException {
    set(k, History.DaemonState.KILLED, "kill -9");
    cluster.kill(k);
  }

  synchronized void powerOff(int k) throws InterruptedException {
    set(k, History.DaemonState.KILLED, "power off");
    cluster.powerOff(k);
  }

  synchronized void freeze(int k) throws IOException, InterruptedException {
    cluster.freeze(k);
    set(k, History.DaemonState.FROZEN, "SIGSTOP");
  }

  synchronized void thaw(int k) throws IOException, InterruptedException {
    cluster.thaw(k);
    set(k, History.DaemonState.THAWED, "SIGCONT");
  }

  /** Node k's API answered: a started daemon is ready. */
  synchronized void answered(int k) {
    if (states[k] == History.DaemonState.STARTED) {
      set(k, History.DaemonState.READY, "");
    }
  }

  /** Records a crash for every daemon that should run but has exited. */
  synchronized void noticeExits() {
    for (int k = 1; k < states.length; k++) {
      boolean shouldRun =
          states[k] == History.DaemonState.STARTED
              || states[k] == History.DaemonState.READY
              || states[k] == History.DaemonState.THAWED;
      Optional<Process> process = cluster.process(k);
      if (shouldRun && process.isPresent() && !process.get().isAlive()) {
        set(k, History.DaemonState.EXITED, "exit code " + process.get().exitValue());
      }
    }
  }

  /** A node whose daemon was started and has not answered yet, if any. */
  synchronized Optional<Integer> starting() {
    for (int k = 1; k < states.length; k++) {
      if (states[k] == History.DaemonState.STARTED) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  synchronized boolean down(int k) {
    return states[k] == History.DaemonState.KILLED
        || states[k] == History.DaemonState.EXITED
        || states[k] == History.DaemonState.FROZEN;
  }

  Optional<Long> pid(int k) {
    return cluster.process(k).filter(Process::isAlive).map(Process::pid);
  }

  /** Threads and resident memory of node k's daemon from /proc, if it runs. */
  Optional<History.ResourceSample> resources(int k, long tMs) {
    Optional<Long> pid = pid(k);
    if (pid.isEmpty()) {
      return Optional.empty();
    }
    try {
      int threads = -1;
      long rss = -1;
      for (String line : Files.readAllLines(Path.of("/proc", pid.get().toString(), "status"))) {
        if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.substring(8).trim());
        } else if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
      return threads < 0 || rss < 0
          ? Optional.empty()
          : Optional.of(new History.ResourceSample(tMs, k, threads, rss));
    } catch (IOException | NumberFormatException gone) {
      return Optional.empty();
    }
  }
}
