package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.testing.FlywallProcess;
import io.flywall.testing.FreePorts;
import io.flywall.testing.ProcessLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar's logging as journald sees it: with JOURNAL_STREAM naming its standard output,
 * as systemd sets it, every line starts with its syslog priority instead of a time.
 */
class JournalLogIT {
  /**
   * Starts the packaged jar with its output in {@code log} and JOURNAL_STREAM naming that file, as
   * systemd names the journal's stream.
   */
  private static Process startWritingToJournal(Path log, String... args) throws Exception {
    Map<String, Object> stat = Files.readAttributes(log, "unix:dev,ino");
    List<String> command = new ArrayList<>(FlywallProcess.javaCommand());
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("JOURNAL_STREAM", stat.get("dev") + ":" + stat.get("ino"));
    return builder.start();
  }

  @Test
  void underJournaldEachLineStartsWithItsSyslogPriority() throws Exception {
    Path dir = ProcessLogs.freshDirectory("journal-log");
    Path log = Files.createFile(dir.resolve("witness.log"));
    int port = FreePorts.udpOnAll(List.of("127.0.0.1"), System.nanoTime());
    Path config =
        Files.writeString(
            dir.resolve("witness.hcl"),
            """
            replication {
              mode = "standalone"
              node_id = "witness"
              listen_addr = "127.0.0.1:%d"
              peer_addrs = ["127.0.0.2:9001"]
              witness_key = "%s"
              state_dir = "%s"
              ha {
                heartbeat_port = %d
              }
            }
            """
                .formatted(
                    port,
                    io.flywall.cluster.ClusterKeys.fromSecret("journal-log-test-secret-0123456789")
                        .witnessKeyText(),
                    dir.resolve("state"),
                    port));
    Process witness = startWritingToJournal(log, "witness", "--config", config.toString());
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(log).contains("voting for"));
    } finally {
      witness.destroyForcibly().waitFor();
    }

    List<String> lines = Files.readAllLines(log);
    assertThat(lines).anyMatch(l -> l.startsWith("<6>INFO  [Witness] witness witness on "));
    assertThat(lines)
        .filteredOn(l -> l.contains("["))
        .allMatch(l -> l.matches("<[3467]>(ERROR|WARN |INFO |DEBUG) \\[.*"));
  }

  @Test
  void underJournaldAStartThatFailsReportsEachLineAsAnError() throws Exception {
    Path dir = ProcessLogs.freshDirectory("journal-log-error");
    Path log = Files.createFile(dir.resolve("run.log"));
    Path config = Files.writeString(dir.resolve("bad.hcl"), "replication {\n  mode = 7\n}\n");

    Process run = startWritingToJournal(log, "run", "--config", config.toString());

    assertThat(run.waitFor()).isEqualTo(2);
    List<String> lines = Files.readAllLines(log);
    assertThat(lines.get(0)).isEqualTo("<3>flywall: invalid config, nothing started:");
    assertThat(lines).hasSizeGreaterThan(1).allMatch(l -> l.startsWith("<3>"));
  }
}
