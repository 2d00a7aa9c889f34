package io.flywall.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flywall.network.CommandResult;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.testing.FlywallProcess;
import io.flywall.testing.ProcessLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The daemon under the restrictions of packaging/flywall.service, on a machine where systemd is not
 * PID 1: the unit's capability bounding set, a read-only file system but for the state directory, a
 * private /tmp (see src/test/resources/io/flywall/lab/unit-sandbox). Both nodes of a lab run that
 * way with every OS-facing feature on, take over, sync connections and hand over on SIGTERM.
 */
@Tag("netns")
class UnitSandboxLabIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final Path PACKAGING =
      Path.of(System.getProperty("flywall.project.dir", ".")).resolve("packaging");
  private static final Path UNIT = PACKAGING.resolve("flywall.service");

  private NetLab lab;
  private LabCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      System.out.println(cluster.logTails(80));
      cluster.close();
    }
    if (lab != null) {
      lab.close();
      assertThat(lab.namespacesLeft()).as("namespaces left by " + lab.prefix()).isEmpty();
    }
  }

  /** The unit's value of {@code key}, e.g. CapabilityBoundingSet. */
  static String unitSetting(String unit, String key) {
    return unit.lines()
        .filter(line -> line.startsWith(key + "="))
        .map(line -> line.substring(key.length() + 1).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError(key + " is not set in the unit"));
  }

  /** "CAP_NET_ADMIN CAP_NET_RAW" as setpriv writes it: "-all,+net_admin,+net_raw". */
  static String setprivCaps(String capabilities) {
    // An empty set (the witness) is "-all" alone.
    return "-all"
        + Arrays.stream(capabilities.split("\\s+"))
            .filter(c -> !c.isEmpty())
            .map(c -> ",+" + c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", ""))
            .collect(Collectors.joining());
  }

  @Test
  void bothNodesWorkWithOnlyTheUnitsCapabilitiesAndAReadOnlySystem() throws Exception {
    LabTestSupport.assumeLab();
    ProcessCommandRunner host = new ProcessCommandRunner();
    assumeTrue(
        host.run(List.of("sh", "-c", "command -v setpriv && command -v unshare"), LIMIT).ok(),
        "setpriv and unshare (util-linux) are needed");
    String unit = Files.readString(UNIT);
    String caps = unitSetting(unit, "CapabilityBoundingSet");
    assertThat(unitSetting(unit, "AmbientCapabilities")).isEqualTo(caps);
    Path sandbox =
        Path.of(UnitSandboxLabIT.class.getResource("unit-sandbox").toURI()).toAbsolutePath();

    Path dir = ProcessLogs.freshDirectory("lab-unit-sandbox");
    // The post-failover script shows what scripts inherit: the capabilities and the read-only
    // file system (it tries to write below /usr).
    Path script = dir.resolve("post-failover.sh");
    Files.writeString(
        script,
        "#!/bin/sh\n"
            + "{ grep -E '^Cap(Eff|Bnd)' /proc/self/status;"
            + " touch /usr/flywall-sandbox-probe 2>&1 && rm -f /usr/flywall-sandbox-probe; }"
            + " > "
            + dir
            + "/post-$FLYWALL_NODE_ID-$FLYWALL_NEW_ROLE.txt\n"
            + "exit 0\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    lab = NetLab.up(2);
    String haExtra =
        """
            monitor_gateways = ["%s"]
            post_failover_script = "%s"
            virtual_ip {
              address = "%s/%s"
              interface = "%s"
            }
            conntrack_sync {
              enabled = true
              interface = "%s"
              sync_interval = "1s"
            }
        """
            .formatted(
                lab.get("SERVER_IP"),
                script,
                lab.get("LAN_VIP6"),
                lab.get("LAN_PREFIXLEN6"),
                lab.get("LAN_IF"),
                lab.get("SYNC_IF"));
    List<String> command =
        new ArrayList<>(List.of("bash", sandbox.toString(), dir.toString(), setprivCaps(caps)));
    command.addAll(FlywallProcess.javaCommand());
    cluster =
        new LabCluster(
            lab,
            dir,
            command,
            LabCluster.Settings.defaults().withHeartbeat("300ms", 3).withHaExtra(haExtra));

    cluster.startAll();

    await()
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.lanVipHolders().equals(List.of(1)) && cluster.clientReachesServer());
    for (int k = 1; k <= 2; k++) {
      int node = k;
      await()
          .atMost(LIMIT)
          .until(
              () ->
                  cluster
                      .api(node, "/api/ha/status")
                      .map(
                          s ->
                              s.path("conntrack_sync").path("state").asText().equals("running")
                                  && s.path("healthy").asBoolean())
                      .orElse(false));
    }
    CommandResult ipv6 =
        lab.in(lab.nodeNamespace(1))
            .run(List.of("ip", "-6", "addr", "show", "dev", lab.get("LAN_IF")), LIMIT);
    assertThat(ipv6.stdout()).contains(lab.get("LAN_VIP6") + "/");
    Path n1Script = dir.resolve("post-n1-primary.txt");
    await().atMost(LIMIT).until(() -> Files.exists(n1Script) && Files.size(n1Script) > 0);
    long capMask = 0;
    for (String cap : caps.split("\\s+")) {
      capMask |= 1L << capabilityNumber(cap);
    }
    String expected = String.format("%016x", capMask);
    assertThat(Files.readString(n1Script))
        .contains("CapEff:\t" + expected)
        .contains("CapBnd:\t" + expected)
        .contains("Read-only file system");

    cluster.stop(1);

    await()
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> cluster.lanVipHolders().equals(List.of(2)) && cluster.clientReachesServer());
    String logs = Files.readString(cluster.log(1)) + Files.readString(cluster.log(2));
    assertThat(Files.readString(cluster.log(1))).contains("stopping:");
    // JNA unpacks its native library somewhere writable under the unit's read-only file system.
    assertThat(Files.readString(cluster.log(1))).contains("network plane: 4 of 4 pieces native");
    assertThat(logs)
        .doesNotContain("Operation not permitted")
        .doesNotContain("Read-only file system")
        .doesNotContain("Permission denied")
        .doesNotContain("internal error");
  }

  @Test
  void theWitnessWorksWithNoCapabilityAtAll() throws Exception {
    LabTestSupport.assumeLab();
    ProcessCommandRunner host = new ProcessCommandRunner();
    assumeTrue(
        host.run(List.of("sh", "-c", "command -v setpriv && command -v unshare"), LIMIT).ok(),
        "setpriv and unshare (util-linux) are needed");
    String unit = Files.readString(PACKAGING.resolve("flywall-witness.service"));
    String caps = unitSetting(unit, "CapabilityBoundingSet");
    assertThat(caps).as("the witness holds no capability").isEmpty();
    Path sandbox =
        Path.of(UnitSandboxLabIT.class.getResource("unit-sandbox").toURI()).toAbsolutePath();
    Path dir = ProcessLogs.freshDirectory("unit-sandbox-witness");
    int port = io.flywall.testing.FreePorts.udpOnAll(List.of("127.0.0.1"), System.nanoTime());
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
                    io.flywall.cluster.ClusterKeys.fromSecret(
                            "unit-sandbox-witness-secret-0123456789")
                        .witnessKeyText(),
                    dir.resolve("state"),
                    port));
    List<String> command =
        new ArrayList<>(List.of("bash", sandbox.toString(), dir.toString(), setprivCaps(caps)));
    command.addAll(FlywallProcess.javaCommand());
    command.addAll(List.of("witness", "--config", config.toString()));
    Path log = dir.resolve("witness.log");
    Process witness =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      await().atMost(LIMIT).until(() -> Files.readString(log).contains("voting for"));
      // Its heartbeat port answers a TCP probe, from inside the sandbox too.
      try (java.net.Socket probe = new java.net.Socket()) {
        probe.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2_000);
        probe.setSoTimeout(5_000);
        assertThat(probe.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(Files.readString(Path.of("/proc/" + witness.pid() + "/status")))
          .contains("CapEff:\t0000000000000000");
      assertThat(witness.isAlive()).isTrue();
    } finally {
      witness.destroy();
      witness.waitFor();
    }
    assertThat(Files.readString(log))
        .doesNotContain("Operation not permitted")
        .doesNotContain("Read-only file system")
        .doesNotContain("Permission denied");
  }

  /** The kernel's number of a capability, for the masks in /proc/PID/status. */
  private static int capabilityNumber(String name) {
    return switch (name) {
      case "CAP_NET_BIND_SERVICE" -> 10;
      case "CAP_NET_ADMIN" -> 12;
      case "CAP_NET_RAW" -> 13;
      default -> throw new IllegalArgumentException("add the number of " + name);
    };
  }
}
