package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.config.ConfigLoader;
import io.flywall.config.ConntrackSyncConfig;
import io.flywall.config.FlywallConfig;
import io.flywall.network.CommandResult;
import io.flywall.network.ToolCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conntrackd configuration written for the guide's advanced example, and the clear refusals.
 */
class ConntrackdConfTest {
  @TempDir Path tools;

  private ToolCheck withConntrackd;

  @BeforeEach
  void fakeConntrackdOnPath() throws Exception {
    Path binary = tools.resolve("conntrackd");
    Files.writeString(binary, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    withConntrackd = new ToolCheck(tools.toString());
  }

  private static FlywallConfig example(String name) throws Exception {
    Path project = Path.of(System.getProperty("flywall.project.dir", "."));
    return new ConfigLoader(() -> "example-host")
        .load(project.resolve("examples").resolve(name))
        .config();
  }

  private static FlywallConfig parse(String text) throws Exception {
    return new ConfigLoader(() -> "example-host").parse("test.hcl", text).config();
  }

  private static ConntrackSyncConfig block(FlywallConfig config) {
    return config.replication().ha().orElseThrow().conntrackSync().orElseThrow();
  }

  private ConntrackdConf confFor(FlywallConfig config, Function<List<String>, CommandResult> ip)
      throws Exception {
    ConntrackSyncSetup setup =
        new ConntrackSyncSetup(
            new FakeCommands(ip),
            withConntrackd,
            (argv, output) -> {
              throw new AssertionError("nothing is launched here");
            },
            pid -> Optional.empty(),
            Clock.systemUTC());
    List<ConntrackdConf> confs = setup.confs(block(config), config.replication());
    assertThat(confs).as("one peer, one channel").hasSize(1);
    return confs.get(0);
  }

  private List<ConntrackdConf> confsFor(
      FlywallConfig config, Function<List<String>, CommandResult> ip) throws Exception {
    return new ConntrackSyncSetup(
            new FakeCommands(ip),
            withConntrackd,
            (argv, output) -> {
              throw new AssertionError("nothing is launched here");
            },
            pid -> Optional.empty(),
            Clock.systemUTC())
        .confs(block(config), config.replication());
  }

  private static Function<List<String>, CommandResult> interfaceWith(String name, String... cidrs) {
    return argv ->
        argv.contains(name)
            ? FakeCommands.ok(argv, FakeCommands.ipAddrJson(name, cidrs))
            : FakeCommands.failed(
                argv, "Device \"" + argv.get(argv.size() - 1) + "\" does not exist.");
  }

  @Test
  void theAdvancedExampleSyncsWithItsPeerOverEth0InFtfwModeOverUnicastUdp() throws Exception {
    FlywallConfig config = example("advanced-primary.hcl");

    ConntrackdConf conf = confFor(config, interfaceWith("eth0", "10.0.0.1/24"));

    Path dir = config.replication().stateDir().resolve("conntrackd/10.0.0.2");
    assertThat(conf.text())
        .isEqualTo(
            """
        # Written by flywall from the conntrack_sync block; rewritten at every start, do not edit.
        Sync {
        \tMode FTFW {
        \t\tStartupResync on
        \t\tResendQueueSize 100000
        \t\tPurgeTimeout 60
        \t}
        \tUDP {
        \t\tIPv4_address 10.0.0.1
        \t\tIPv4_Destination_Address 10.0.0.2
        \t\tPort 3780
        \t\tInterface eth0
        \t\tSndSocketBuffer 1249280
        \t\tRcvSocketBuffer 1249280
        \t\tChecksum on
        \t}
        }
        General {
        \tSystemd off
        \tHashSize 32768
        \tHashLimit 100000
        \tLogFile DIR/conntrackd.log
        \tSyslog off
        \tLockFile DIR/conntrackd.lock
        \tUNIX {
        \t\tPath DIR/conntrackd.ctl
        \t}
        \tNetlinkBufferSize 2097152
        \tNetlinkBufferSizeMaxGrowth 8388608
        \tFilter From Kernelspace {
        \t\tAddress Ignore {
        \t\t\tIPv4_address 127.0.0.0/8
        \t\t\tIPv6_address ::1
        \t\t\tIPv4_address 10.0.0.1
        \t\t\tIPv4_address 10.0.0.2
        \t\t}
        \t}
        }
        """
                .replace("DIR", dir.toString()));
    assertThat(conf.syncInterval()).hasSeconds(5);
  }

  @Test
  void maxEntriesIsTheCacheLimitAndSizesTheHashTable() throws Exception {
    FlywallConfig config =
        parse(
            withConntrackSync(
                "interface = \"sync0\"\n max_entries = 2000000\n sync_interval = \"2s\""));

    ConntrackdConf conf = confFor(config, interfaceWith("sync0", "10.0.0.1/24"));

    assertThat(conf.text())
        .contains("\tHashLimit 2000000\n")
        .contains("\tHashSize 524288\n")
        .contains("\tResendQueueSize 2000000\n");
    assertThat(conf.hashSize()).isEqualTo(1 << 19);
    assertThat(
            new ConntrackdConf(conf.link(), 3780, 10, conf.syncInterval(), conf.files(), List.of())
                .hashSize())
        .as("always more buckets than one commit step (8192), or conntrackd refuses every flush")
        .isEqualTo(16384);
  }

  @Test
  void anIpv6SyncLinkUsesTheIpv6Clauses() throws Exception {
    FlywallConfig config = parse(withConntrackSync("interface = \"sync0\"", "[fd00:3::2]:9002"));

    ConntrackdConf conf = confFor(config, interfaceWith("sync0", "10.0.9.1/24", "fd00:3::1/64"));

    assertThat(conf.text())
        .contains("\t\tIPv6_address fd00:3:0:0:0:0:0:1\n")
        .contains("\t\tIPv6_Destination_Address fd00:3:0:0:0:0:0:2\n");
  }

  @Test
  void aSyncInterfaceThatDoesNotExistIsNamed() throws Exception {
    FlywallConfig config = example("advanced-primary.hcl");

    assertThatThrownBy(() -> confFor(config, interfaceWith("eth9", "10.0.0.1/24")))
        .isInstanceOf(ConntrackSyncException.class)
        .hasMessage("conntrack_sync.interface eth0 does not exist on this node");
  }

  @Test
  void aSyncInterfaceWithoutAnAddressSaysToGiveItOne() throws Exception {
    FlywallConfig config = example("advanced-primary.hcl");

    assertThatThrownBy(() -> confFor(config, interfaceWith("eth0")))
        .isInstanceOf(ConntrackSyncException.class)
        .hasMessageStartingWith(
            "conntrack_sync.interface eth0 has no usable IP address; give it an address");
  }

  @Test
  void aPeerOutsideTheSyncSubnetIsAClearError() throws Exception {
    FlywallConfig config = example("advanced-primary.hcl");

    assertThatThrownBy(() -> confFor(config, interfaceWith("eth0", "192.168.77.1/24")))
        .isInstanceOf(ConntrackSyncException.class)
        .hasMessageContaining(
            "no peer address in the config (10.0.0.2) lies in a subnet of conntrack_sync.interface "
                + "eth0 (192.168.77.1/24)");
  }

  @Test
  void missingConntrackdNamesThePackageToInstall() throws Exception {
    FlywallConfig config = example("advanced-primary.hcl");
    ConntrackSyncSetup setup =
        new ConntrackSyncSetup(
            new FakeCommands(interfaceWith("eth0", "10.0.0.1/24")),
            new ToolCheck(tools.resolve("empty").toString()),
            (argv, output) -> null,
            pid -> Optional.empty(),
            Clock.systemUTC());

    assertThatThrownBy(() -> setup.confs(block(config), config.replication()))
        .hasMessage(
            "conntrackd not found on PATH: install the Debian package conntrackd (needed for conntrack_sync)");
  }

  @Test
  void eachPeerOfAThreeNodeClusterGetsItsOwnConntrackdWithItsOwnPortAndFiles() throws Exception {
    FlywallConfig config =
        parse(
            """
            replication {
              mode = "replica"
              node_id = "n1"
              listen_addr = "10.99.3.2:9001"
              peer_addrs = ["10.99.3.3:9001", "10.99.3.4:9001"]
              secret_key = "0123456789abcdef0123"
              state_dir = "/var/lib/flywall"
              ha {
                enabled = true
                conntrack_sync {
                  interface = "sync0"
                }
              }
            }
            """);

    List<ConntrackdConf> confs = confsFor(config, interfaceWith("sync0", "10.99.3.2/24"));

    assertThat(confs)
        .extracting(c -> c.link().peerAddress().getHostAddress())
        .containsExactly("10.99.3.3", "10.99.3.4");
    assertThat(confs).extracting(ConntrackdConf::port).containsExactly(3780, 3781);
    assertThat(confs)
        .extracting(c -> c.files().config().toString())
        .containsExactly(
            "/var/lib/flywall/conntrackd/10.99.3.3/conntrackd.conf",
            "/var/lib/flywall/conntrackd/10.99.3.4/conntrackd.conf");
    assertThat(confs.get(1).text())
        .contains("\t\tIPv4_address 10.99.3.2\n\t\tIPv4_Destination_Address 10.99.3.4\n")
        .contains("\t\tPort 3781\n")
        .contains("\tLockFile /var/lib/flywall/conntrackd/10.99.3.4/conntrackd.lock\n")
        .contains("\t\tPath /var/lib/flywall/conntrackd/10.99.3.4/conntrackd.ctl\n")
        .as("sync traffic between any two nodes is not synced")
        .contains(
            "\t\t\tIPv4_address 10.99.3.2\n"
                + "\t\t\tIPv4_address 10.99.3.4\n"
                + "\t\t\tIPv4_address 10.99.3.3\n");
  }

  @Test
  void aStateDirThatConntrackdConfCannotCarryIsRefusedNeverWritten() throws Exception {
    SyncLink link =
        new SyncLink(
            "eth0",
            java.net.InetAddress.getByName("10.0.0.1"),
            24,
            java.net.InetAddress.getByName("10.0.0.2"));
    for (String stateDir :
        List.of(
            "/var/lib/fly wall",
            "/var/lib/fly\"wall",
            "/var/lib/fw\n}\nGeneral {\n\tLogFile /etc/shadow",
            "/var/lib/fw\r",
            "/var/lib/fw#x",
            "/var/lib/fw{")) {
      ConntrackdFiles files =
          ConntrackdFiles.forPeer(Path.of(stateDir), java.net.InetAddress.getByName("10.0.0.2"));

      assertThatThrownBy(
              () ->
                  ConntrackdConf.of(
                      link, 3780, 1000, java.time.Duration.ofSeconds(5), files, List.of()))
          .as(stateDir)
          .isInstanceOf(ConntrackSyncException.class)
          .hasMessageContaining("cannot be written into conntrackd.conf")
          .hasMessageContaining("choose a state_dir without them")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void anInterfaceNameThatConntrackdConfCannotCarryIsRefused() throws Exception {
    SyncLink link =
        new SyncLink(
            "eth\"0",
            java.net.InetAddress.getByName("10.0.0.1"),
            24,
            java.net.InetAddress.getByName("10.0.0.2"));

    assertThatThrownBy(
            () ->
                ConntrackdConf.of(
                    link,
                    3780,
                    1000,
                    java.time.Duration.ofSeconds(5),
                    ConntrackdFiles.forPeer(
                        Path.of("/var/lib/flywall"), java.net.InetAddress.getByName("10.0.0.2")),
                    List.of()))
        .hasMessageContaining("conntrack_sync.interface \"eth\\\"0\"");
  }

  @Test
  void aRelativeStateDirIsWrittenAsAnAbsolutePathConntrackdCanRead() throws Exception {
    SyncLink link =
        new SyncLink(
            "eth0",
            java.net.InetAddress.getByName("10.0.0.1"),
            24,
            java.net.InetAddress.getByName("10.0.0.2"));
    ConntrackdConf conf =
        ConntrackdConf.of(
            link,
            3780,
            1000,
            java.time.Duration.ofSeconds(5),
            ConntrackdFiles.forPeer(Path.of("state"), java.net.InetAddress.getByName("10.0.0.2")),
            List.of());

    assertThat(conf.text())
        .contains("\tLockFile " + Path.of("state").toAbsolutePath() + "/conntrackd/10.0.0.2/")
        .doesNotContain("LogFile state/");
  }

  @Test
  void aStateDirTooLongForAUnixSocketGetsItsSocketUnderRunOnePerNode() throws Exception {
    java.net.InetAddress peer = java.net.InetAddress.getLoopbackAddress();
    ConntrackdFiles one =
        ConntrackdFiles.forPeer(
            java.nio.file.Path.of("/var/lib/" + "x".repeat(100) + "/one"), peer);
    ConntrackdFiles two =
        ConntrackdFiles.forPeer(
            java.nio.file.Path.of("/var/lib/" + "x".repeat(100) + "/two"), peer);

    assertThat(one.socket().toString())
        .startsWith("/run/flywall/conntrackd-")
        .hasSizeLessThanOrEqualTo(107);
    assertThat(one.socket()).isNotEqualTo(two.socket());
    assertThat(ConntrackdFiles.forPeer(java.nio.file.Path.of("/var/lib/flywall"), peer).socket())
        .isEqualTo(java.nio.file.Path.of("/var/lib/flywall/conntrackd/127.0.0.1/conntrackd.ctl"));
  }

  @Test
  void theSetupDegradesToUnavailableWithTheReasonInsteadOfStoppingTheNode() throws Exception {
    FlywallConfig config = example("advanced-primary.hcl");
    ConntrackSyncSetup setup =
        new ConntrackSyncSetup(
            new FakeCommands(interfaceWith("eth0")),
            withConntrackd,
            (argv, output) -> null,
            pid -> Optional.empty(),
            Clock.systemUTC());

    ConnectionSync sync =
        setup.prepare(config, java.util.concurrent.Executors.newSingleThreadScheduledExecutor());

    assertThat(sync.status().state()).isEqualTo("unavailable");
    assertThat(sync.status().detail()).contains("has no usable IP address");
    assertThat(sync.takeOver())
        .singleElement()
        .satisfies(
            step -> {
              assertThat(step.name()).isEqualTo("commit_connection_state");
              assertThat(step.ok()).isFalse();
              assertThat(step.detail()).contains("has no usable IP address");
            });
  }

  @Test
  void withoutAnEnabledBlockThereIsNothingToSync() throws Exception {
    ConntrackSyncSetup setup =
        new ConntrackSyncSetup(
            new FakeCommands(argv -> null),
            withConntrackd,
            (argv, output) -> null,
            pid -> Optional.empty(),
            Clock.systemUTC());

    ConnectionSync sync =
        setup.prepare(
            example("basic-primary.hcl"),
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor());

    assertThat(sync.status().enabled()).isFalse();
    assertThat(sync.takeOver()).isEmpty();
    assertThat(sync.release()).isEmpty();
  }

  private static String withConntrackSync(String body) {
    return withConntrackSync(body, "10.0.0.2:9002");
  }

  private static String withConntrackSync(String body, String peer) {
    return """
        replication {
          mode = "primary"
          listen_addr = "10.0.0.1:9001"
          peer_addr = "PEER"
          secret_key = "0123456789abcdef0123"
          ha {
            enabled = true
            conntrack_sync {
              enabled = true
              BODY
            }
          }
        }
        """
        .replace("PEER", peer)
        .replace("BODY", body);
  }
}
