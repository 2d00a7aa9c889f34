package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {

  private final CommandRunner runner = new ProcessCommandRunner();

  @Test
  void aCommandsOutputsAndExitCodeAreCaptured() {
    CommandResult result =
        runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 4"), Duration.ofSeconds(10));

    assertThat(result.exitCode()).isEqualTo(4);
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
    assertThat(result.ok()).isFalse();
    assertThat(result.describe()).isEqualTo("'sh -c echo out; echo err >&2; exit 4' exited 4: err");
  }

  @Test
  void aCommandThatOverrunsItsTimeoutIsKilledAndSaysSo() {
    CommandResult result = runner.run(List.of("sleep", "30"), Duration.ofMillis(200));

    assertThat(result.timedOut()).isTrue();
    assertThat(result.describe()).isEqualTo("'sleep 30' timed out");
  }

  @Test
  void aCommandThatDoesNotExistIsAResultNotAnException() {
    CommandResult result = runner.run(List.of("/nonexistent/flywall-tool"), Duration.ofSeconds(1));

    assertThat(result.exitCode()).isEqualTo(127);
    assertThat(result.stderr()).startsWith("cannot run /nonexistent/flywall-tool");
  }

  @Test
  void aPrefixedRunnerPutsThePrefixBeforeEveryCommand() {
    FakeCommandRunner fake = new FakeCommandRunner(argv -> FakeCommandRunner.ok(argv, ""));

    fake.inNamespace("fwt1a2b-n1").run(List.of("ip", "-j", "addr", "show"), Duration.ofSeconds(1));

    assertThat(fake.commands)
        .containsExactly(List.of("ip", "netns", "exec", "fwt1a2b-n1", "ip", "-j", "addr", "show"));
  }
}
