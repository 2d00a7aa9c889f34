package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessScriptRunnerTest {

  @TempDir Path dir;

  private final ProcessScriptRunner runner =
      new ProcessScriptRunner(Clock.systemUTC(), Duration.ofMillis(500), path -> Optional.empty());

  private Path script(String body) throws IOException {
    Path file = Files.writeString(dir.resolve("post-failover.sh"), "#!/bin/bash\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  private static ScriptInvocation invocation(Path script, Duration timeout) {
    return new ScriptInvocation(
        script,
        "fw-a",
        "takeover",
        "backup",
        "primary",
        7,
        "peer fw-b silent for 3s",
        List.of("10.0.0.100/24", "fd00::100/64"),
        timeout);
  }

  @Test
  void section4_theScriptGetsEventRolesAndEpochAsArgvAndTheFlywallEnvironment() throws IOException {
    Path script =
        script(
            "echo \"argv=$*\"\n"
                + "echo \"env=$FLYWALL_NODE_ID|$FLYWALL_EVENT|$FLYWALL_OLD_ROLE|$FLYWALL_NEW_ROLE|$FLYWALL_EPOCH|$FLYWALL_CAUSE|$FLYWALL_VIPS\"\n"
                + "echo oops >&2");

    ScriptResult result = runner.run(invocation(script, Duration.ofSeconds(10)));

    assertThat(result.ok()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(result.outputTail())
        .contains("argv=takeover backup primary 7")
        .contains(
            "env=fw-a|takeover|backup|primary|7|peer fw-b silent for 3s|10.0.0.100/24,fd00::100/64")
        .contains("oops");
  }

  @Test
  void aFailingScriptIsAFailedResultWithItsExitCode() throws IOException {
    ScriptResult result =
        runner.run(invocation(script("echo half done; exit 3"), Duration.ofSeconds(10)));

    assertThat(result.ok()).isFalse();
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.problem()).endsWith("exited 3");
    assertThat(result.outputTail()).isEqualTo("half done");
  }

  @Test
  void aScriptThatOutlivesItsTimeoutIsKilledWithTheProcessesItStarted() throws IOException {
    Path pidFile = dir.resolve("child.pid");
    Path script = script("sleep 30 & echo $! > " + pidFile + "\nwait");

    ScriptResult result = runner.run(invocation(script, Duration.ofMillis(300)));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.ok()).isFalse();
    assertThat(result.problem()).contains("timed out after 300 ms");
    long child = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> gone(child));
  }

  @Test
  void section10_4_aChildThatLeftTheScriptsProcessTreeIsKilledWithItsGroupAtTheTimeout()
      throws IOException {
    Path pidFile = dir.resolve("orphan.pid");
    // The subshell exits at once: its sleeping child is re-parented to init, no descendant any
    // more.
    Path script = script("( sleep 30 >/dev/null 2>&1 & echo $! > " + pidFile + " )\nsleep 30");

    ScriptResult result = runner.run(invocation(script, Duration.ofMillis(500)));

    assertThat(result.timedOut()).isTrue();
    long orphan = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> gone(orphan));
  }

  @Test
  void section10_4_aScriptOfAPlanGivenUpIsStoppedWithEverythingItStarted() throws Exception {
    Path pidFile = dir.resolve("orphan.pid");
    Path script = script("( sleep 30 >/dev/null 2>&1 & echo $! > " + pidFile + " )\nsleep 30");
    AtomicReference<ScriptResult> result = new AtomicReference<>();
    Thread running =
        new Thread(() -> result.set(runner.run(invocation(script, Duration.ofSeconds(30)))));
    running.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(pidFile) > 0);

    // What the step queue does when a newer role generation supersedes the script's plan.
    running.interrupt();
    running.join(10_000);

    assertThat(result.get()).isNotNull();
    assertThat(result.get().ok()).isFalse();
    long orphan = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> gone(orphan));
  }

  @Test
  void section10_4_aScriptOthersCouldChangeIsNotRunAndTheResultSaysWhy() throws IOException {
    Path marker = dir.resolve("ran");
    Path script = script("touch " + marker);
    ProcessScriptRunner guarded =
        new ProcessScriptRunner(
            Clock.systemUTC(),
            Duration.ofMillis(500),
            path -> Optional.of("script " + path + " is writable by its group or others"));

    ScriptResult result = guarded.run(invocation(script, Duration.ofSeconds(10)));

    assertThat(result.ok()).isFalse();
    assertThat(result.problem()).contains("writable by its group or others");
    assertThat(marker).doesNotExist();
  }

  @Test
  void aScriptThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws IOException {
    Path pidFile = dir.resolve("child.pid");
    Path script = script("trap '' TERM\nsleep 30 & echo $! > " + pidFile + "\nwait");

    ScriptResult result = runner.run(invocation(script, Duration.ofMillis(300)));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.duration()).isLessThan(Duration.ofSeconds(10));
    long child = Long.parseLong(Files.readString(pidFile).strip());
    await().atMost(Duration.ofSeconds(5)).until(() -> gone(child));
  }

  @Test
  void aMissingScriptIsAFailedResultNotAnException() {
    ScriptResult result = runner.run(invocation(dir.resolve("nope.sh"), Duration.ofSeconds(1)));

    assertThat(result.ok()).isFalse();
    assertThat(result.problem()).contains("nope.sh does not exist");
  }

  @Test
  void aScriptThatIsNotExecutableIsAFailedResultThatSaysHowToFixIt() throws IOException {
    Path script = script("exit 0");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-------"));

    ScriptResult result = runner.run(invocation(script, Duration.ofSeconds(1)));

    assertThat(result.ok()).isFalse();
    assertThat(result.problem()).contains("is not executable (chmod +x");
  }

  @Test
  void onlyTheLastTwentyLinesOfOutputAreKept() throws IOException {
    ScriptResult result =
        runner.run(
            invocation(
                script("for i in $(seq 1 50); do echo line$i; done"), Duration.ofSeconds(10)));

    assertThat(result.outputTail().lines()).hasSize(20).startsWith("line31").endsWith("line50");
  }

  /** Gone, or a zombie nobody reaps yet: either way it no longer runs. */
  private static boolean gone(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return true;
    }
  }
}
