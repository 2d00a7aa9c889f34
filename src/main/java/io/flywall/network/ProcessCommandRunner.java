package io.flywall.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The real {@link CommandRunner}: a child process with stdin closed and both outputs captured. */
public final class ProcessCommandRunner implements CommandRunner {

  /** How long to wait for the output pipes after the process ended (a grandchild may hold them). */
  private static final Duration DRAIN = Duration.ofSeconds(1);

  @Override
  public CommandResult run(List<String> argv, Duration timeout) {
    Process process;
    try {
      process =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
              .start();
    } catch (IOException e) {
      return new CommandResult(
          argv, 127, "", "cannot run " + argv.get(0) + ": " + e.getMessage(), false);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      return new CommandResult(argv, -1, collected(out), collected(err), true);
    }
    return new CommandResult(argv, process.exitValue(), collected(out), collected(err), false);
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        runnable -> {
          Thread thread = new Thread(runnable, "command-output");
          thread.setDaemon(true);
          thread.start();
        });
  }

  private static String collected(CompletableFuture<String> output) {
    try {
      return output.get(DRAIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      return "";
    }
  }
}
