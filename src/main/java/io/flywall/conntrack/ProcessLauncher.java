package io.flywall.conntrack;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/** Starts a long-running child process; the seam that lets the supervisor be tested without one. */
public interface ProcessLauncher {

  /** Starts {@code argv} with stdout and stderr appended to {@code output}. */
  Child launch(List<String> argv, Path output) throws IOException;

  /** A started child, stopped only through this handle (never by name). */
  interface Child {
    long pid();

    /** The exit code once it has ended. */
    OptionalInt exitCode();

    /** Asks it to end (SIGTERM), and kills it when it has not ended within {@code grace}. */
    void stop(Duration grace);
  }
}
