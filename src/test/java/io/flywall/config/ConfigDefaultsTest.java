package io.flywall.config;

import static io.flywall.config.ConfigText.load;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDefaultsTest {

  @Test
  void minimalConfigFillsEveryReplicationDefault() throws Exception {
    LoadedConfig loaded = load("replication {\n  mode = \"standalone\"\n}\n");
    ReplicationConfig r = loaded.config().replication();
    assertThat(loaded.warnings()).isEmpty();
    assertThat(r.mode()).isEqualTo(ReplicationConfig.Mode.STANDALONE);
    assertThat(r.nodeId()).isEqualTo(ConfigText.HOSTNAME);
    assertThat(r.listenAddr()).isEqualTo(new HostPort("", 9001));
    assertThat(r.primaryAddr()).isEmpty();
    assertThat(r.peerAddr()).isEmpty();
    assertThat(r.peerAddrs()).isEmpty();
    assertThat(r.secretKey()).isEmpty();
    assertThat(r.compression()).isTrue();
    assertThat(r.encryption()).isTrue();
    assertThat(r.syncInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(r.batchSize()).isEqualTo(1000);
    assertThat(r.syncMode()).isEqualTo(ReplicationConfig.SyncMode.ASYNC);
    assertThat(r.syncTimeout()).as("max(2s, 20 x 100ms)").isEqualTo(Duration.ofSeconds(2));
    assertThat(r.logRetention()).isEqualTo(200_000);
    assertThat(r.stateDir()).isEqualTo(Path.of("/var/lib/flywall"));
    assertThat(r.syncFiles()).isEmpty();
    assertThat(r.ha()).as("no ha block: HA disabled").isEmpty();
    assertThat(loaded.config().haEnabled()).isEmpty();
  }

  @Test
  void syncTimeoutDefaultsToTwentySyncIntervalsButAtLeastTwoSeconds() throws Exception {
    ReplicationConfig slow =
        load("replication {\n  mode = \"primary\"\n  sync_interval = \"250ms\"\n}\n")
            .config()
            .replication();
    assertThat(slow.syncTimeout()).isEqualTo(Duration.ofSeconds(5));
    ReplicationConfig set =
        load("replication {\n  mode = \"primary\"\n  sync_interval = \"250ms\"\n"
                + "  sync_timeout = \"700ms\"\n  log_retention = 5000\n}\n")
            .config()
            .replication();
    assertThat(set.syncTimeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(set.logRetention()).isEqualTo(5000);
  }

  @Test
  void emptyHaBlockFillsEveryHaDefault() throws Exception {
    HaConfig h =
        load("replication {\n  mode = \"primary\"\n  ha {\n  }\n}\n")
            .config()
            .replication()
            .ha()
            .orElseThrow();
    assertThat(h.enabled()).isTrue();
    assertThat(h.priority()).isEqualTo(100);
    assertThat(h.failbackMode()).isEqualTo(HaConfig.FailbackMode.AUTO);
    assertThat(h.failbackDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(h.failbackWindow()).isEqualTo(Duration.ZERO);
    assertThat(h.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(h.failureThreshold()).isEqualTo(3);
    assertThat(h.failureTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(h.heartbeatPort()).isEqualTo(9002);
    assertThat(h.monitorLinks()).isEmpty();
    assertThat(h.monitorGateways()).isEmpty();
    assertThat(h.preFailoverScript()).isEmpty();
    assertThat(h.postFailoverScript()).isEmpty();
    assertThat(h.scriptTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(h.quorum()).isEqualTo(HaConfig.QuorumMode.AUTO);
    assertThat(h.witnessAddr()).isEmpty();
    assertThat(h.virtualIps()).isEmpty();
    assertThat(h.conntrackSync()).isEmpty();
  }

  @Test
  void failureTimeoutDefaultsToIntervalTimesThreshold() throws Exception {
    HaConfig h =
        load(ConfigText.withHa(
                "", "    heartbeat_interval = \"250ms\"\n    failure_threshold = 4\n"))
            .config()
            .replication()
            .ha()
            .orElseThrow();
    assertThat(h.failureTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void virtualIpAndConntrackDefaults() throws Exception {
    HaConfig h =
        load(ConfigText.withHa(
                "",
                """
            virtual_ip {
              address = "10.0.0.100/24"
              interface = "eth1"
            }
            conntrack_sync {
              interface = "eth2"
            }
        """))
            .config()
            .replication()
            .ha()
            .orElseThrow();
    VirtualIpConfig vip = h.virtualIps().get(0);
    assertThat(vip.address()).isEqualTo(Cidr.parse("10.0.0.100/24"));
    assertThat(vip.interfaceName()).isEqualTo("eth1");
    assertThat(vip.arpPing()).isTrue();
    assertThat(vip.gratuitousArp()).isTrue();
    ConntrackSyncConfig c = h.conntrackSync().orElseThrow();
    assertThat(c.enabled()).isTrue();
    assertThat(c.interfaceName()).isEqualTo("eth2");
    assertThat(c.syncInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.maxEntries()).isEqualTo(100_000);
  }

  @Test
  void apiDefaultsPutTheTokenInTheStateDir() throws Exception {
    ApiConfig api = load(ConfigText.replication("  state_dir = \"/srv/fw\"\n")).config().api();
    assertThat(api.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
    assertThat(api.tokenFile()).isEqualTo(Path.of("/srv/fw/api.token"));
    assertThat(api.allow()).containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    assertThat(api.maxMonitors()).isEqualTo(32);
  }

  @Test
  void apiBlockOverridesDefaults() throws Exception {
    ApiConfig api =
        load(ConfigText.replication("")
                + """
        api {
          listen = "[::]:8443"
          token_file = "/etc/flywall/token"
          allow = ["10.0.0.0/8"]
          max_monitors = 4
        }
        """)
            .config()
            .api();
    assertThat(api.listen()).isEqualTo(new HostPort("::", 8443));
    assertThat(api.tokenFile()).isEqualTo(Path.of("/etc/flywall/token"));
    assertThat(api.allow()).containsExactly(Cidr.parse("10.0.0.0/8"));
    assertThat(api.maxMonitors()).isEqualTo(4);
  }

  @Test
  void heartbeatPeersUsePeerAddrAsGivenInTheTwoNodeForm() throws Exception {
    ReplicationConfig r =
        load(ConfigText.withHa(
                "  listen_addr = \"10.0.0.1:9001\"\n  peer_addr = \"10.0.0.2:7000\"\n",
                "    heartbeat_port = 9100\n"))
            .config()
            .replication();
    assertThat(r.heartbeatPeers()).containsExactly(new HostPort("10.0.0.2", 7000));
    assertThat(r.heartbeatListen()).isEqualTo(new HostPort("10.0.0.1", 9100));
  }

  @Test
  void heartbeatPeersUseHeartbeatPortInTheMultiNodeForm() throws Exception {
    ReplicationConfig r =
        load(ConfigText.withHa(
                "  peer_addrs = [\"10.0.0.2:9001\", \"[fd00::3]:9001\"]\n",
                "    heartbeat_port = 9100\n"))
            .config()
            .replication();
    assertThat(r.heartbeatPeers())
        .isEqualTo(List.of(new HostPort("10.0.0.2", 9100), new HostPort("fd00::3", 9100)));
    assertThat(r.heartbeatListen()).isEqualTo(new HostPort("", 9100));
  }

  @Test
  void explicitNodeIdWinsOverTheHostname() throws Exception {
    assertThat(
            load(ConfigText.replication("  node_id = \"node-7\"\n"))
                .config()
                .replication()
                .nodeId())
        .isEqualTo("node-7");
  }

  @Test
  void hostnameIsNotAskedForWhenNodeIdIsSet() throws Exception {
    ConfigLoader loader =
        new ConfigLoader(
            () -> {
              throw new AssertionError("hostname supplier called although node_id is set");
            });
    loader.parse("t.hcl", ConfigText.replication("  node_id = \"n1\"\n"));
  }
}
