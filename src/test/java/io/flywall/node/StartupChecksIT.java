package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.FlywallProcess;
import io.flywall.testing.ProcessLogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code flywall run} refuses to start, with a message that says what to do, on bad config or
 * missing tools.
 */
class StartupChecksIT {

  private record Outcome(int exit, String output) {}

  private static Outcome run(Path dir, String config, String path) throws Exception {
    Path file = Files.writeString(dir.resolve("flywall.hcl"), config);
    List<String> command = new ArrayList<>(FlywallProcess.javaCommand());
    command.addAll(List.of("run", "--config", file.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PATH", path);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("flywall run gives up by itself").isTrue();
    return new Outcome(
        process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void aMissingOsToolStopsTheDaemonNamingThePackageToInstall() throws Exception {
    Path dir = ProcessLogs.freshDirectory("startup-missing-tools");
    Path emptyPath = Files.createDirectories(dir.resolve("empty-bin"));
    Outcome outcome =
        run(
            dir,
            """
        replication {
          mode = "primary"
          listen_addr = "127.0.0.1:19001"
          state_dir = "%s"
          ha {
            monitor_gateways = ["127.0.0.1"]
            virtual_ip {
              address = "10.99.9.1/24"
              interface = "fwt-missing0"
            }
          }
        }
        """
                .formatted(dir.resolve("state")),
            emptyPath.toString());
    // VIPs, ARP and link monitoring need no tool on the native plane; the gateway monitor does.
    assertThat(outcome.exit()).as(outcome.output()).isEqualTo(127);
    assertThat(outcome.output()).contains("iputils-ping").contains("apt-get install");
  }

  @Test
  void anInvalidConfigStopsTheDaemonWithEveryProblemAndExitTwo() throws Exception {
    Path dir = ProcessLogs.freshDirectory("startup-bad-config");
    Outcome outcome =
        run(
            dir,
            """
        replication {
          mode = "primary"
          ha {
            priorty = 50
            heartbeat_interval = "1x"
          }
        }
        """,
            System.getenv("PATH"));
    assertThat(outcome.exit()).isEqualTo(2);
    assertThat(outcome.output())
        .contains("flywall.hcl:4:5")
        .contains("did you mean")
        .contains("flywall.hcl:5:");
    assertThat(outcome.output()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
