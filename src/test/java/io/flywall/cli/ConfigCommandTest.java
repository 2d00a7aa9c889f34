package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.cluster.ClusterKeys;
import io.flywall.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigCommandTest {
  private static final String SECRET = "a-very-long-shared-secret-value";

  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private static Path example(String name) {
    return Path.of(System.getProperty("flywall.project.dir", "."))
        .resolve("examples")
        .resolve(name);
  }

  @Test
  void validConfigExitsZeroAndSaysOk() {
    Path file = example("basic-primary.hcl");
    Run r = run("config", "check", file.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo(file + ": ok" + System.lineSeparator());
    // The guide's secrets are placeholders shorter than 32 characters: a warning, not an error.
    // (Whether this host has the guide's interfaces is this host's business.)
    assertThat(r.err().lines().filter(l -> !l.contains("on this host")))
        .singleElement()
        .asString()
        .startsWith(file + ":5:16: warning: `secret_key` is shorter than 32 characters");
  }

  @Test
  void warningsGoToStderrAndDoNotFailTheCheck() {
    Path file = example("multi-node-1.hcl");
    Run r = run("config", "check", file.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains(file + ": ok");
    assertThat(r.err())
        .startsWith(file + ":6:16: warning: `secret_key` is shorter than 32 characters");
  }

  @Test
  void invalidConfigExitsTwoWithEveryErrorOnStderr() throws Exception {
    Path file =
        write(
            "bad.hcl",
            """
        replication {
          mode = "boss"
          ha {
            prority = 5
            priority = 50 garbage "x" ]]
          }
        }
        """);
    Run r = run("config", "check", file.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    // Syntax errors come first: the schema is checked only once the file parses.
    assertThat(r.err().lines().toList())
        .containsExactly(
            file
                + ":5:19: expected end of line after the value of `priority`, found `garbage` (one attribute or block per line)");

    Files.writeString(file, "replication {\n  mode = \"boss\"\n  ha {\n    prority = 5\n  }\n}\n");
    Run schema = run("config", "check", file.toString());
    assertThat(schema.exitCode()).isEqualTo(2);
    assertThat(schema.err().lines().toList())
        .containsExactly(
            file
                + ":2:10: `mode` must be one of \"primary\", \"replica\", \"standalone\"; got \"boss\"",
            file
                + ":4:5: unknown attribute `prority` in block `replication.ha`; did you mean `priority`?");
  }

  @Test
  void witnessKeyPrintsTheKeyEveryNodeDerivesFromTheSecretAndTheWitnessConfigLoadsIt()
      throws Exception {
    Path node = example("basic-primary.hcl");
    Run r = run("config", "witness-key", node.toString());

    assertThat(r.exitCode()).isZero();
    String key = ClusterKeys.fromSecret("SHARED_SECRET_KEY").witnessKeyText();
    assertThat(r.out()).isEqualTo(key + System.lineSeparator());
    assertThat(r.out()).doesNotContain("SHARED_SECRET_KEY");
    Path witness =
        write(
            "witness.hcl",
            "replication {\n  mode = \"standalone\"\n  node_id = \"witness\"\n"
                + "  peer_addrs = [\"10.0.0.1:9001\", \"10.0.0.2:9001\"]\n"
                + "  witness_key = \""
                + r.out().trim()
                + "\"\n}\n");
    assertThat(run("config", "check", witness.toString()).exitCode()).isZero();
  }

  @Test
  void witnessKeyOfAConfigWithoutSecretExitsTwoAndSaysWhy() throws Exception {
    Path file = write("alone.hcl", "replication {\n  mode = \"standalone\"\n}\n");
    Run r = run("config", "witness-key", file.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("has no secret_key", "node of the cluster");
  }

  @Test
  void missingFileExitsTwoWithAClearMessage() {
    Path missing = dir.resolve("missing.hcl");
    Run r = run("config", "check", missing.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo(missing + ": cannot read the config: no such file" + System.lineSeparator());
  }

  @Test
  void printWritesTheEffectiveConfigWithTheSecretRedacted() throws Exception {
    Path file =
        write(
            "fw.hcl",
            """
        replication {
          mode = "primary"
          node_id = "fw-a"
          peer_addr = "10.0.0.2:9002"
          secret_key = "%s"
          ha {
            virtual_ip {
              address = "10.0.0.100/24"
              interface = "eth1"
            }
          }
        }
        """
                .formatted(SECRET));
    Run r = run("config", "check", file.toString(), "--print");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains(
            "secret_key = \"<redacted>\"",
            "failure_timeout = \"3s\"",
            "priority = 100",
            "token_file = \"/var/lib/flywall/api.token\"");
    assertThat(r.out() + r.err()).doesNotContain(SECRET);
    assertThat(r.err()).contains(file + ": ok");

    // The printed config is itself a valid config.
    Path printed = write("printed.hcl", r.out());
    assertThat(new ConfigLoader(() -> "x").load(printed).config().replication().nodeId())
        .isEqualTo("fw-a");
    assertThat(run("config", "check", printed.toString()).exitCode()).isZero();
  }

  @Test
  void everyCommandAndOptionHasHelp() {
    Run config = run("config", "--help");
    assertThat(config.exitCode()).isZero();
    assertThat(config.out()).contains("check", "Validate a config file");
    Run check = run("config", "check", "--help");
    assertThat(check.exitCode()).isZero();
    assertThat(check.out())
        .contains("FILE", "The config file to check", "--print", "effective config", "Exit status");
    CommandLine.Model.CommandSpec spec =
        Main.commandLine()
            .getSubcommands()
            .get("config")
            .getSubcommands()
            .get("check")
            .getCommandSpec();
    assertThat(spec.options()).allSatisfy(o -> assertThat(o.description()).isNotEmpty());
    assertThat(spec.positionalParameters())
        .allSatisfy(p -> assertThat(p.description()).isNotEmpty());
  }

  @Test
  void missingFileArgumentIsAUsageError() {
    Run r = run("config", "check");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'FILE'");
  }

  @Test
  void configWithoutSubcommandSaysWhatIsMissing() {
    Run r = run("config");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("Missing a command");
  }

  @Test
  void aVipOnAnInterfaceThisHostLacksIsAWarningThatSaysWhatRunWouldDo() throws Exception {
    Path file =
        write(
            "vip.hcl",
            """
            replication {
              mode = "primary"
              ha {
                monitor_links = ["lo"]
                virtual_ip {
                  address = "10.99.9.1/24"
                  interface = "fwux0"
                }
              }
            }
            """);
    Run r = run("config", "check", file.toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.err())
        .contains(
            file
                + ": warning: interface fwux0 (virtual_ip 10.99.9.1/24) does not exist on this"
                + " host")
        .contains("stay in fault")
        .doesNotContain("interface lo");
  }

  @Test
  void checkRefusesWhatRunRefusesHaDisabledOrAbsentButNotAWitnessConfig() throws Exception {
    Path disabled =
        write(
            "disabled.hcl",
            "replication {\n  mode = \"primary\"\n  ha {\n    enabled = false\n  }\n}\n");
    Run r = run("config", "check", disabled.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("`ha.enabled = false`").contains("flywall ha standby");

    Path absent = write("absent.hcl", "replication {\n  mode = \"primary\"\n}\n");
    assertThat(run("config", "check", absent.toString()).err()).contains("no `ha` block");

    Path witness =
        write(
            "witness.hcl",
            """
            replication {
              mode = "standalone"
              peer_addrs = ["10.0.0.1:9001", "10.0.0.2:9001"]
              witness_key = "%s"
              ha {
                enabled = false
              }
            }
            """
                .formatted("ab".repeat(32)));
    assertThat(run("config", "check", witness.toString()).exitCode()).isZero();
  }
}
