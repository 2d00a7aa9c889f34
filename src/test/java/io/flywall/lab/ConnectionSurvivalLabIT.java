package io.flywall.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.network.CommandResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A client's TCP connection through stateful firewalls survives a power-off of the primary when
 * conntrack sync is on — of two nodes and of three — and breaks when it is off (so the test can
 * tell: the firewalls drop mid-stream packets of connections their kernel does not track).
 */
@Tag("netns")
class ConnectionSurvivalLabIT {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final String CONNTRACK_SYNC =
      """
      conntrack_sync {
        enabled = true
        interface = "fwt-sync"
        sync_interval = "1s"
      }""";

  private NetLab lab;
  private LabCluster cluster;
  private Process server;
  private Process client;
  private final List<String> clientLines = new CopyOnWriteArrayList<>();
  private String name;

  @BeforeEach
  void name(TestInfo test) {
    LabTestSupport.assumeLab();
    name = test.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : new Process[] {client, server}) {
      if (p != null) {
        p.destroyForcibly();
      }
    }
    if (cluster != null) {
      System.out.println(cluster.logTails(40));
      cluster.close();
    }
    if (lab != null) {
      lab.close();
      assertThat(lab.namespacesLeft()).isEmpty();
    }
  }

  @Test
  void anOpenConnectionKeepsExchangingDataAfterThePrimaryIsPoweredOff() throws Exception {
    Failover failover = failOverWithAConnectionOpen(2, true);
    await().atMost(LIMIT).until(() -> okCount() > failover.exchangesBefore() + 40 || broken());
    assertThat(broken()).as("client output: " + clientTail()).isFalse();
  }

  @Test
  void withoutConntrackSyncTheSameConnectionBreaks() throws Exception {
    failOverWithAConnectionOpen(2, false);
    await().atMost(LIMIT).alias("the client's connection to break").until(this::broken);
  }

  @Test
  void ofThreeNodesTheConnectionSurvivesThePowerOffOfThePrimaryAndStaysSynced() throws Exception {
    Failover failover = failOverWithAConnectionOpen(3, true);

    await().atMost(LIMIT).until(() -> okCount() > failover.exchangesBefore() + 40 || broken());
    assertThat(broken()).as("client output: " + clientTail()).isFalse();
    assertThat(
            cluster
                .api(failover.newPrimary(), "/api/ha/history?limit=20")
                .orElseThrow()
                .path("events")
                .findValues("steps")
                .stream()
                .flatMap(steps -> java.util.stream.StreamSupport.stream(steps.spliterator(), false))
                .filter(step -> step.path("name").asText().equals("commit_connection_state"))
                .map(step -> step.path("ok").asBoolean())
                .findFirst())
        .as("the new primary's takeover (newest first) committed the synced connections")
        .hasValue(true);
    // The remaining backup learns the connection again, now from the new primary.
    int third = 6 - failover.oldPrimary() - failover.newPrimary();
    await()
        .atMost(LIMIT)
        .until(() -> syncedConnections(third, failover.newPrimary()).contains("dport=7000"));

    // The killed daemon left its two conntrackds running; the next one replaces them.
    int old = failover.oldPrimary();
    cluster.powerOn(old);
    await()
        .atMost(LIMIT)
        .until(
            () ->
                cluster
                        .api(old, "/api/ha/history?limit=50")
                        .map(h -> h.path("events").findValuesAsText("type"))
                        .map(
                            types ->
                                types.stream().filter("conntrackd_orphan_replaced"::equals).count())
                        .orElse(0L)
                    == 2);
    assertThat(conntrackdsIn(old)).as("one conntrackd per peer, the orphans gone").hasSize(2);
  }

  /** The pids of the conntrackd processes running in node k's namespace. */
  private List<String> conntrackdsIn(int k) {
    String pids =
        lab.in(lab.nodeNamespace(k))
            .run(List.of("ip", "netns", "pids", lab.nodeNamespace(k)), Duration.ofSeconds(5))
            .stdout();
    List<String> found = new java.util.ArrayList<>();
    for (String pid : pids.split("\\s+")) {
      try {
        if (!pid.isBlank()
            && Files.readString(Path.of("/proc", pid, "cmdline")).startsWith("conntrackd\0")) {
          found.add(pid);
        }
      } catch (java.io.IOException e) {
        // It ended meanwhile.
      }
    }
    return found;
  }

  /** Who was primary, who took over, and how many exchanges the client saw before. */
  private record Failover(int exchangesBefore, int oldPrimary, int newPrimary) {}

  private String clientTail() {
    return String.join(
        " | ", clientLines.subList(Math.max(0, clientLines.size() - 5), clientLines.size()));
  }

  /**
   * Builds the cluster, opens the connection through the primary, powers it off and waits until a
   * backup says it is primary and holds the VIPs (which one is the cluster's choice).
   */
  private Failover failOverWithAConnectionOpen(int nodes, boolean sync) throws Exception {
    lab = NetLab.up(nodes);
    LabCluster.Settings settings =
        LabCluster.Settings.defaults()
            .withHeartbeat("300ms", 3)
            .withArpPing(false)
            .withFailback("disabled", "1s")
            .withHaExtra(sync ? CONNTRACK_SYNC : "");
    cluster = LabTestSupport.cluster(lab, name, settings);
    for (int k = 1; k <= nodes; k++) {
      statefulFirewall(k);
    }
    cluster.startAll();
    await().atMost(LIMIT).until(() -> cluster.lanVipHolders().size() == 1);
    // Whichever node won the first election is the primary to power off.
    int primary = cluster.lanVipHolders().get(0);
    List<Integer> backups = new java.util.ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      if (k != primary) {
        backups.add(k);
      }
    }
    if (sync) {
      for (int backup : backups) {
        await()
            .atMost(LIMIT)
            .until(
                () ->
                    cluster
                        .api(backup, "/api/ha/status")
                        .map(s -> s.path("conntrack_sync").path("state").asText().equals("running"))
                        .orElse(false));
      }
    }
    server =
        inNamespace(
            lab.serverNamespace(),
            "perl",
            "-MIO::Socket::INET",
            "-e",
            "$s=IO::Socket::INET->new(LocalPort=>7000,Listen=>5,ReuseAddr=>1) or die $!;"
                + "while($c=$s->accept){while(sysread($c,$b,100)>0){syswrite($c,$b)}}");
    client =
        inNamespace(
            lab.clientNamespace(),
            "bash",
            "-c",
            "for t in $(seq 1 50); do exec 3<>/dev/tcp/"
                + lab.get("SERVER_IP")
                + "/7000 && break; sleep 0.1; done;"
                + " for i in $(seq 1 3000); do echo \"ping $i\" >&3; if read -t 5 line <&3; then echo \"ok $i\";"
                + " else echo BROKEN; exit 1; fi; sleep 0.05; done");
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  clientLines.add(line);
                }
              } catch (java.io.IOException ignored) {
                // The client ended.
              }
            },
            "tcp-client");
    reader.setDaemon(true);
    reader.start();
    await().atMost(LIMIT).until(() -> okCount() >= 20 || broken());
    assertThat(broken()).as("the connection works before the failover: " + clientLines).isFalse();
    if (sync) {
      for (int backup : backups) {
        // The connection has reached every backup's channel to the primary before it goes away,
        // and only there: a backup's kernel does not track it until a takeover commits it.
        await()
            .atMost(LIMIT)
            .until(() -> syncedConnections(backup, primary).contains("dport=7000"));
        assertThat(
                lab.in(lab.nodeNamespace(backup))
                    .run(
                        List.of("conntrack", "-L", "-p", "tcp", "--dport", "7000"),
                        Duration.ofSeconds(5))
                    .stdout())
            .doesNotContain("dport=7000");
      }
    }
    int before = okCount();
    System.out.println("powering off n" + primary + " after " + before + " exchanges");
    cluster.powerOff(primary);
    await()
        .atMost(LIMIT)
        .until(
            () ->
                backups.stream().filter(k -> cluster.role(k).orElse("").equals("primary")).count()
                    == 1);
    int newPrimary =
        backups.stream()
            .filter(k -> cluster.role(k).orElse("").equals("primary"))
            .findFirst()
            .orElseThrow();
    await().atMost(LIMIT).until(() -> cluster.lanVipHolders().equals(List.of(newPrimary)));
    return new Failover(before, primary, newPrimary);
  }

  /** What node k's conntrackd has learned from {@code peer}: its channel's external cache. */
  private String syncedConnections(int k, int peer) {
    Path conf =
        cluster
            .config(k)
            .resolveSibling(
                "n" + k + "/conntrackd/" + lab.get("N" + peer + "_SYNC_IP") + "/conntrackd.conf");
    return lab.in(lab.nodeNamespace(k))
        .run(List.of("conntrackd", "-C", conf.toString(), "-e"), Duration.ofSeconds(5))
        .stdout();
  }

  private void statefulFirewall(int k) throws Exception {
    Path file =
        Files.writeString(
            cluster.config(k).resolveSibling("stateful-n" + k + ".nft"),
            """
        table inet fwtstate {
          chain forward {
            type filter hook forward priority 0; policy drop;
            ct state invalid drop
            ct state established,related accept
            iifname "fwt-lan" oifname "fwt-wan" ct state new accept
            icmp type echo-request accept
          }
        }
        """);
    CommandResult rules =
        lab.in(lab.nodeNamespace(k))
            .run(List.of("nft", "-f", file.toString()), Duration.ofSeconds(5));
    assertThat(rules.ok()).as(rules.describe()).isTrue();
    // Without this the kernel adopts a mid-stream TCP flow on its own, and the test could not fail.
    CommandResult loose =
        lab.in(lab.nodeNamespace(k))
            .run(
                List.of("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0"),
                Duration.ofSeconds(5));
    assertThat(loose.ok()).as(loose.describe()).isTrue();
  }

  private Process inNamespace(String ns, String... command) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns));
    argv.addAll(List.of(command));
    return new ProcessBuilder(argv).redirectErrorStream(true).start();
  }

  private int okCount() {
    return (int) clientLines.stream().filter(l -> l.startsWith("ok ")).count();
  }

  private boolean broken() {
    return clientLines.contains("BROKEN");
  }
}
