package io.flywall.conntrack;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link ProcessTable} of made-up processes that end on the signals a test says they end on. */
final class FakeProcessTable implements ProcessTable {
  private final Map<Long, FakeProcess> processes = new HashMap<>();

  /** Every signal sent, as "TERM 4242" or "KILL 4242". */
  final List<String> signals = new ArrayList<>();

  /** A running process that ends on SIGTERM when {@code endsOnTerm}, else only on SIGKILL. */
  FakeProcess add(long pid, boolean endsOnTerm, String... argv) {
    FakeProcess process = new FakeProcess(pid, List.of(argv), endsOnTerm, true);
    processes.put(pid, process);
    return process;
  }

  /** A process that survives even SIGKILL (stuck in the kernel). */
  FakeProcess addUnkillable(long pid, String... argv) {
    FakeProcess process = new FakeProcess(pid, List.of(argv), false, false);
    processes.put(pid, process);
    return process;
  }

  @Override
  public Optional<Running> find(long pid) {
    FakeProcess process = processes.get(pid);
    return process == null || !process.alive ? Optional.empty() : Optional.of(process);
  }

  final class FakeProcess implements Running {
    private final long pid;
    private final List<String> argv;
    private final boolean endsOnTerm;
    private final boolean endsOnKill;
    boolean alive = true;
    final List<Duration> waits = new ArrayList<>();

    FakeProcess(long pid, List<String> argv, boolean endsOnTerm, boolean endsOnKill) {
      this.pid = pid;
      this.argv = argv;
      this.endsOnTerm = endsOnTerm;
      this.endsOnKill = endsOnKill;
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public List<String> commandLine() {
      return argv;
    }

    @Override
    public void signal(boolean forcibly) {
      signals.add((forcibly ? "KILL " : "TERM ") + pid);
      if (forcibly ? endsOnKill : endsOnTerm) {
        alive = false;
      }
    }

    @Override
    public boolean awaitExit(Duration timeout) {
      waits.add(timeout);
      return !alive;
    }
  }
}
