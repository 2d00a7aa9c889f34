package io.flywall.conntrack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A {@link ProcessLauncher} whose children live until a test makes them crash or they are stopped.
 */
final class FakeLauncher implements ProcessLauncher {
  final List<FakeChild> children = new ArrayList<>();
  private final Path output;
  String failToStart;

  FakeLauncher(Path output) {
    this.output = output;
  }

  @Override
  public Child launch(List<String> argv, Path out) throws IOException {
    if (failToStart != null) {
      throw new IOException(failToStart);
    }
    FakeChild child = new FakeChild(1000 + children.size(), argv);
    children.add(child);
    return child;
  }

  FakeChild last() {
    return children.get(children.size() - 1);
  }

  /** The running child ends with {@code code}, having written {@code line} to its output. */
  void crash(int code, String line) throws IOException {
    Files.createDirectories(output.getParent());
    Files.writeString(output, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    last().exit = OptionalInt.of(code);
  }

  static final class FakeChild implements Child {
    final long pid;
    final List<String> argv;
    OptionalInt exit = OptionalInt.empty();
    boolean stopped;

    FakeChild(long pid, List<String> argv) {
      this.pid = pid;
      this.argv = List.copyOf(argv);
    }

    @Override
    public long pid() {
      return pid;
    }

    @Override
    public OptionalInt exitCode() {
      return exit;
    }

    @Override
    public void stop(Duration grace) {
      stopped = true;
      exit = OptionalInt.of(0);
    }
  }
}
