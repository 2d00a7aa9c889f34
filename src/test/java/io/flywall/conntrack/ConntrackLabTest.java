package io.flywall.conntrack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.config.ConfigLoader;
import io.flywall.config.FlywallConfig;
import io.flywall.lab.NetLab;
import io.flywall.network.CommandResult;
import io.flywall.network.CommandRunner;
import io.flywall.network.ToolCheck;
import java.io.File;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real conntrackd instances, one per node namespace, configured and supervised by this package:
 * a TCP connection made through node 1 reaches node 2's external cache, and node 2's takeover
 * commits it into node 2's kernel table (root only; skipped otherwise).
 */
@Tag("netns")
class ConntrackLabTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private NetLab lab;
  private final List<ConnectionSync> syncs = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final List<String> alarms = new CopyOnWriteArrayList<>();

  @BeforeEach
  void buildLab() throws java.io.IOException {
    NetLab.unavailableReason()
        .ifPresent(reason -> org.junit.jupiter.api.Assumptions.abort("skipped: " + reason));
    lab = NetLab.up(2);
  }

  @AfterEach
  void removeLab() {
    syncs.forEach(ConnectionSync::close);
    processes.forEach(Process::destroyForcibly);
    if (lab != null) {
      lab.close();
      assertThat(lab.namespacesLeft())
          .as("namespaces of lab " + lab.prefix() + " left behind")
          .isEmpty();
    }
  }

  private ConnectionSync syncOn(int k, int peer) throws Exception {
    String text =
        """
        replication {
          mode = "replica"
          node_id = "n%d"
          listen_addr = "%s:9001"
          peer_addr = "%s:9002"
          secret_key = "lab-secret-0123456789"
          state_dir = "%s"
          ha {
            enabled = true
            conntrack_sync {
              enabled = true
              interface = "%s"
              sync_interval = "1s"
              max_entries = 10000
            }
          }
        }
        """
            .formatted(
                k,
                lab.get("N" + k + "_SYNC_IP"),
                lab.get("N" + peer + "_SYNC_IP"),
                dir.resolve("n" + k),
                lab.get("SYNC_IF"));
    FlywallConfig config = new ConfigLoader(() -> "lab").parse("n" + k + ".hcl", text).config();
    String namespace = lab.get("NS_N" + k);
    ChildProcessLauncher real = new ChildProcessLauncher();
    ProcessLauncher inNamespace =
        (argv, output) -> {
          List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
          full.addAll(argv);
          return real.launch(full, output);
        };
    ConnectionSync sync =
        new ConntrackSyncSetup(
                lab.in(lab.get("NS_N" + k)),
                ToolCheck.ofProcessPath(),
                inNamespace,
                Clock.systemUTC())
            .prepare(config, Executors.newSingleThreadScheduledExecutor());
    syncs.add(sync);
    sync.start(
        new SyncObserver() {
          @Override
          public void status(SyncStatus status) {}

          @Override
          public void alarm(String name, String detail, boolean raised) {
            alarms.add("n" + k + (raised ? " raise " : " clear ") + name + ": " + detail);
          }
        });
    return sync;
  }

  private Process startIn(String nsVariable, String... argv) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.get(nsVariable)));
    command.addAll(List.of(argv));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("proc-" + processes.size() + ".out").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    processes.add(process);
    return process;
  }

  private String run(String nsVariable, String... argv) {
    CommandResult result = lab.in(lab.get(nsVariable)).run(List.of(argv), TIMEOUT);
    assertThat(result.ok()).as(result.describe()).isTrue();
    return result.stdout();
  }

  private void statefulForwarding(String nsVariable) throws Exception {
    CommandRunner node = lab.in(lab.get(nsVariable));
    // Only established flows and new SYNs pass: a mid-stream packet without state is dropped.
    Path file = dir.resolve("stateful.nft");
    java.nio.file.Files.writeString(
        file,
        """
        table inet fwtct {
          chain forward_filter {
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            tcp flags syn ct state new accept
            icmp type echo-request accept
          }
        }
        """);
    CommandResult rules = node.run(List.of("nft", "-f", file.toString()), TIMEOUT);
    assertThat(rules.ok()).as(rules.describe()).isTrue();
  }

  @Test
  void aConnectionThroughNode1IsCommittedIntoNode2sKernelOnTakeover() throws Exception {
    statefulForwarding("NS_N1");
    statefulForwarding("NS_N2");
    run("NS_N1", "ip", "addr", "add", lab.get("LAN_VIP") + "/24", "dev", lab.get("LAN_IF"));
    run("NS_N1", "ip", "addr", "add", lab.get("WAN_VIP") + "/24", "dev", lab.get("WAN_IF"));
    ConnectionSync n1 = syncOn(1, 2);
    ConnectionSync n2 = syncOn(2, 1);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                n1.status().healthy()
                    && n2.status().healthy()
                    && n2.status().stats().map(s -> s.messagesReceived() > 0).orElse(false));

    startIn(
        "NS_SERVER",
        "perl",
        "-MIO::Socket::INET",
        "-e",
        "$s=IO::Socket::INET->new(LocalPort=>8080,Listen=>5,ReuseAddr=>1) or die $!;"
            + "while($c=$s->accept){while(sysread($c,$b,100)>0){syswrite($c,$b)}}");
    Process client =
        startIn(
            "NS_CLIENT",
            "bash",
            "-c",
            "for i in $(seq 1 50); do exec 3<>/dev/tcp/"
                + lab.get("SERVER_IP")
                + "/8080 && break; sleep 0.1; done; echo hello >&3; read -t 5 line <&3; "
                + "echo \"got $line\"; sleep 60");
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                run("NS_N1", "conntrack", "-L", "-p", "tcp", "--dport", "8080")
                    .contains("ESTABLISHED"));
    await().atMost(TIMEOUT).until(() -> conntrackd(2, "-e").contains("dport=8080"));
    assertThat(run("NS_N2", "conntrack", "-L", "-p", "tcp", "--dport", "8080"))
        .as("not yet in node 2's kernel")
        .doesNotContain("dport=8080");

    List<SyncStep> steps = n2.takeOver();

    assertThat(steps)
        .extracting(SyncStep::name)
        .containsExactly("commit_connection_state", "resync_connection_state");
    assertThat(steps).allSatisfy(step -> assertThat(step.ok()).as(step.toString()).isTrue());
    String table = run("NS_N2", "conntrack", "-L", "-p", "tcp", "--dport", "8080");
    assertThat(table)
        .contains("ESTABLISHED")
        .contains("src=" + lab.get("CLIENT_IP"))
        .contains("dst=" + lab.get("SERVER_IP"));
    assertThat(n2.status().lastCommit()).isPresent();
    assertThat(client.isAlive()).isTrue();
  }

  @Test
  void aPeerWhoseConntrackdDiesRaisesTheSilenceAlarmOnTheOtherNode() throws Exception {
    ConnectionSync n1 = syncOn(1, 2);
    ConnectionSync n2 = syncOn(2, 1);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                n2.status().healthy()
                    && n2.status().stats().map(s -> s.messagesReceived() > 0).orElse(false));

    n1.close();

    await().atMost(TIMEOUT).until(() -> n2.status().peerSilent());
    assertThat(alarms)
        .anyMatch(
            a ->
                a.startsWith(
                    "n2 raise conntrack_sync_silent: conntrackd has received nothing "
                        + "from its peer "
                        + lab.get("N1_SYNC_IP")));
    assertThat(n2.status().alarms()).containsKey(SyncObserver.SILENT);
  }

  @Test
  void aKilledConntrackdIsRestartedAndTheDownAlarmClears() throws Exception {
    ConnectionSync n1 = syncOn(1, 2);
    syncOn(2, 1);
    await().atMost(TIMEOUT).until(() -> n1.status().state().equals("running"));
    // Kill our own child by its pid, as a crash would.
    long child = ((ConntrackdSync) n1).pid().orElseThrow();
    run("NS_N1", "kill", "-9", Long.toString(child));

    await()
        .atMost(TIMEOUT)
        .until(() -> alarms.stream().anyMatch(a -> a.startsWith("n1 raise conntrack_sync_down")));
    await()
        .atMost(TIMEOUT)
        .until(() -> n1.status().state().equals("running") && n1.status().restarts() == 1);
    await()
        .atMost(TIMEOUT)
        .until(() -> alarms.contains("n1 clear conntrack_sync_down: conntrackd runs again"));
  }

  private String conntrackd(int k, String option) {
    return run(
        "NS_N" + k,
        "conntrackd",
        "-C",
        dir.resolve("n" + k + "/conntrackd/conntrackd.conf").toString(),
        option);
  }
}
