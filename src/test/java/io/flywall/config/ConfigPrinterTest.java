package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigPrinterTest {
  private static final String EVERYTHING =
      """
      replication {
        mode = "replica"
        node_id = "fw_b.2"
        listen_addr = "[fd00::2]:9001"
        primary_addr = "fw-a.example.net:9001"
        peer_addrs = ["[fd00::1]:9001", "10.0.0.3:9001"]
        secret_key = "a-secret-with-\\"quotes\\"-and-$${braces}"
        compression = false
        encryption = false
        sync_interval = "250ms"
        batch_size = 50
        sync_mode = "sync"
        state_dir = "/srv/flywall state/$${x}"
        sync_files = ["/etc/dnsmasq.conf", "/etc/nft \\"main\\".conf"]
        ha {
          enabled = false
          priority = 7
          failback_mode = "disabled"
          failback_delay = 0
          failback_window = "90m"
          heartbeat_interval = "200ms"
          failure_threshold = 2
          failure_timeout = "1500ms"
          heartbeat_port = 19002
          monitor_links = ["eth0", "bond0.100"]
          monitor_gateways = ["2001:db8::1", "10.0.0.254"]
          pre_failover_script = "/etc/flywall/pre.sh"
          post_failover_script = "/etc/flywall/post.sh"
          script_timeout = 5
          quorum = "majority"
          witness_addr = "10.0.0.9:9002"
          virtual_ip {
            address = "10.0.0.100/24"
            interface = "eth1"
            arp_ping = false
          }
          virtual_ip {
            address = "2001:db8:0:0:0:0:0:100/64"
            interface = "eth1"
            gratuitous_arp = false
          }
          conntrack_sync {
            enabled = false
            sync_interval = "1m"
            max_entries = 5
          }
        }
      }
      api {
        listen = "[::1]:8443"
        allow = []
      }
      """;

  private static FlywallConfig withSecret(FlywallConfig c, Optional<Secret> secret) {
    ReplicationConfig r = c.replication();
    return new FlywallConfig(
        new ReplicationConfig(
            r.mode(),
            r.nodeId(),
            r.listenAddr(),
            r.primaryAddr(),
            r.peerAddr(),
            r.peerAddrs(),
            secret,
            r.witnessKey(),
            r.compression(),
            r.encryption(),
            r.syncInterval(),
            r.batchSize(),
            r.syncMode(),
            r.syncTimeout(),
            r.logRetention(),
            r.stateDir(),
            r.syncFiles(),
            r.ha()),
        c.api());
  }

  /** What a reader of the printed config gets back: the same config, secret redacted. */
  private static void assertRoundTrips(FlywallConfig original) throws Exception {
    String printed = ConfigPrinter.print(original);
    FlywallConfig reloaded =
        new ConfigLoader(() -> "unused").parse("printed.hcl", printed).config();
    assertThat(reloaded)
        .isEqualTo(
            withSecret(
                original, original.replication().secretKey().map(s -> new Secret("<redacted>"))));
    assertThat(ConfigPrinter.print(reloaded)).as("printing is stable").isEqualTo(printed);
  }

  @Test
  void everySettingSurvivesPrintingAndLoadingAgain() throws Exception {
    FlywallConfig c = ConfigText.load(EVERYTHING).config();
    assertThat(c.replication().ha().orElseThrow().virtualIps()).hasSize(2);
    assertRoundTrips(c);
  }

  @Test
  void minimalConfigPrintsEveryDefault() throws Exception {
    String printed =
        ConfigPrinter.print(
            ConfigText.load("replication {\n  mode = \"standalone\"\n}\n").config());
    assertThat(printed)
        .contains(
            "node_id = \"" + ConfigText.HOSTNAME + "\"",
            "listen_addr = \":9001\"",
            "sync_interval = \"100ms\"",
            "batch_size = 1000",
            "state_dir = \"/var/lib/flywall\"",
            "token_file = \"/var/lib/flywall/api.token\"",
            "allow = [\"127.0.0.0/8\", \"::1/128\"]");
    assertThat(printed).doesNotContain("ha {", "secret_key");
    assertRoundTrips(ConfigText.load("replication {\n  mode = \"standalone\"\n}\n").config());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "advanced-primary.hcl",
        "basic-backup.hcl",
        "basic-primary.hcl",
        "multi-node-1.hcl",
        "multi-node-2.hcl",
        "multi-node-3.hcl"
      })
  void everyExampleRoundTrips(String name) throws Exception {
    Path file =
        Path.of(System.getProperty("flywall.project.dir", ".")).resolve("examples").resolve(name);
    assertRoundTrips(new ConfigLoader(() -> "h").load(file).config());
  }

  @Test
  void printedSecretIsRedacted() throws Exception {
    FlywallConfig c = ConfigText.load(EVERYTHING).config();
    String printed = ConfigPrinter.print(c);
    assertThat(printed).contains("secret_key = \"<redacted>\"").doesNotContain("a-secret-with");
  }

  @Test
  void emptyOptionalListsAreLeftOut() throws Exception {
    String printed = ConfigPrinter.print(ConfigText.load(ConfigText.withHa("", "")).config());
    assertThat(printed).doesNotContain("peer_addrs", "monitor_links", "sync_files", "witness_addr");
    assertThat(List.of(printed.split("\n"))).contains("    failure_timeout = \"3s\"");
  }
}
