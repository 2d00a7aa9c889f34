package io.flywall.conntrack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real {@link ProcessTable}: command lines from {@code /proc/PID/cmdline}, signals through a
 * {@link ProcessHandle}, which carries the process's start time and so never reaches a later
 * process that reused the pid.
 */
public final class LinuxProcessTable implements ProcessTable {

  @Override
  public Optional<Running> find(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty()) {
      return Optional.empty();
    }
    Optional<List<String>> argv = commandLine(pid);
    // Read after the handle was taken: if the process is still the handle's, the line is its own.
    if (argv.isEmpty() || !handle.get().isAlive()) {
      return Optional.empty();
    }
    return Optional.of(new Handle(handle.get(), argv.get()));
  }

  private static Optional<List<String>> commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      if (raw.length == 0) {
        // A zombie or a kernel thread: nothing that could be a running conntrackd.
        return Optional.empty();
      }
      String text = new String(raw, StandardCharsets.UTF_8);
      if (text.endsWith("\0")) {
        text = text.substring(0, text.length() - 1);
      }
      return Optional.of(Arrays.asList(text.split("\0", -1)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private record Handle(ProcessHandle handle, List<String> commandLine) implements Running {
    @Override
    public long pid() {
      return handle.pid();
    }

    @Override
    public void signal(boolean forcibly) {
      if (forcibly) {
        handle.destroyForcibly();
      } else {
        handle.destroy();
      }
    }

    @Override
    public boolean awaitExit(Duration timeout) {
      try {
        handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException | ExecutionException e) {
        return !handle.isAlive();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return !handle.isAlive();
      }
    }
  }
}
