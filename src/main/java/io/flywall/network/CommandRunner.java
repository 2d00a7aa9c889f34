package io.flywall.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs one OS command to completion; the seam between this package's logic and the OS. */
public interface CommandRunner {

  /**
   * Runs {@code argv} and waits at most {@code timeout}. Never throws for a command that fails,
   * cannot start or times out: that is all in the result.
   */
  CommandResult run(List<String> argv, Duration timeout);

  /** This runner with {@code prefix} put before every command, e.g. {@code ip netns exec NS}. */
  default CommandRunner prefixed(List<String> prefix) {
    List<String> fixed = List.copyOf(prefix);
    CommandRunner inner = this;
    return (argv, timeout) -> {
      List<String> full = new ArrayList<>(fixed);
      full.addAll(argv);
      return inner.run(full, timeout);
    };
  }

  /** This runner with every command run inside the network namespace {@code namespace}. */
  default CommandRunner inNamespace(String namespace) {
    return prefixed(List.of("ip", "netns", "exec", namespace));
  }
}
