package io.flywall.network;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real {@link ScriptRunner}: a child process whose output goes to the log line by line,
 * prefixed with the script's name. Each script leads a process group of its own ({@code setsid});
 * after the timeout, or when its plan is given up (the running thread is interrupted), the whole
 * group and process tree get SIGTERM, and SIGKILL after a grace period, so nothing a script forked
 * outlives its budget (unless it started a session of its own on purpose). A script whose owner or
 * mode lets others change it is refused before it runs.
 */
public final class ProcessScriptRunner implements ScriptRunner {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessScriptRunner.class);
  private static final int TAIL_LINES = 20;

  private final Clock clock;
  private final Duration killGrace;
  private final Function<Path, Optional<String>> untrusted;

  /**
   * @param untrusted what makes a script unsafe to run (its owner, its mode), or empty if nothing
   */
  public ProcessScriptRunner(
      Clock clock, Duration killGrace, Function<Path, Optional<String>> untrusted) {
    this.clock = clock;
    this.killGrace = killGrace;
    this.untrusted = untrusted;
  }

  public ProcessScriptRunner(Clock clock, Function<Path, Optional<String>> untrusted) {
    this(clock, Duration.ofSeconds(2), untrusted);
  }

  @Override
  public ScriptResult run(ScriptInvocation invocation) {
    Path script = invocation.script();
    if (!Files.isRegularFile(script)) {
      return ScriptResult.notRun(
          script, "script " + script + " does not exist or is not a regular file");
    }
    if (!Files.isExecutable(script)) {
      return ScriptResult.notRun(
          script, "script " + script + " is not executable (chmod +x " + script + ")");
    }
    Optional<String> unsafe = untrusted.apply(script);
    if (unsafe.isPresent()) {
      return ScriptResult.notRun(script, unsafe.get());
    }
    String name = script.getFileName().toString();
    List<String> argv = new ArrayList<>();
    argv.add("setsid");
    argv.addAll(invocation.argv());
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(invocation.environment());
    Instant start = clock.instant();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return ScriptResult.notRun(
          script, "script " + script + " cannot be started: " + e.getMessage());
    }
    LOG.info(
        "{}: started ({} {} -> {}, epoch {})",
        name,
        invocation.event(),
        invocation.oldRole(),
        invocation.newRole(),
        invocation.epoch());
    Deque<String> tail = new ArrayDeque<>();
    Thread out =
        pump(
            process.getInputStream(),
            line -> {
              LOG.info("{}: {}", name, line);
              remember(tail, line);
            });
    Thread err =
        pump(
            process.getErrorStream(),
            line -> {
              LOG.warn("{}: {}", name, line);
              remember(tail, line);
            });
    boolean timedOut = !waitFor(process, invocation.timeout());
    if (timedOut) {
      LOG.warn(
          "{}: still running after {} ms, terminating it", name, invocation.timeout().toMillis());
      terminate(process);
    }
    join(out);
    join(err);
    Duration duration = Duration.between(start, clock.instant());
    int exit = timedOut ? -1 : process.exitValue();
    String problem =
        timedOut
            ? "script " + script + " timed out after " + invocation.timeout().toMillis() + " ms"
            : exit != 0 ? "script " + script + " exited " + exit : "";
    String output;
    synchronized (tail) {
      output = String.join("\n", tail);
    }
    LOG.info(
        "{}: {} in {} ms", name, problem.isEmpty() ? "finished" : problem, duration.toMillis());
    return new ScriptResult(script, exit, timedOut, duration, output, problem);
  }

  private void terminate(Process process) {
    // Collected before the parent dies: orphans are re-parented and no longer its descendants.
    List<ProcessHandle> tree = process.descendants().toList();
    ProcessGroup.signal(process.pid(), ProcessGroup.SIGTERM);
    process.destroy();
    tree.forEach(ProcessHandle::destroy);
    if (!waitFor(process, killGrace)) {
      LOG.warn("script pid {} ignored SIGTERM, killing it", process.pid());
    }
    // The group also after the script itself ended: a child may ignore SIGTERM.
    ProcessGroup.signal(process.pid(), ProcessGroup.SIGKILL);
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    tree.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    waitFor(process, killGrace);
  }

  private static boolean waitFor(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void remember(Deque<String> tail, String line) {
    synchronized (tail) {
      tail.addLast(line);
      while (tail.size() > TAIL_LINES) {
        tail.removeFirst();
      }
    }
  }

  private static Thread pump(InputStream stream, Consumer<String> lines) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  lines.accept(line);
                }
              } catch (IOException e) {
                // The pipe closes when the process tree is killed; nothing more to log.
              }
            },
            "script-output");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void join(Thread thread) {
    try {
      thread.join(killGrace.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
