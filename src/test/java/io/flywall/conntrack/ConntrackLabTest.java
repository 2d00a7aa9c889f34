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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real conntrackd instances, one per node namespace and peer, configured and supervised by this
 * package: a TCP connection made through node 1 reaches the other nodes' external caches, a
 * takeover commits it into the new primary's kernel table, and a conntrackd left behind by a killed
 * daemon is replaced (root only; skipped otherwise).
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
  void needsTheLab() {
    NetLab.unavailableReason()
        .ifPresent(reason -> org.junit.jupiter.api.Assumptions.abort("skipped: " + reason));
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

  private ConnectionSync syncOn(int k, int... peers) throws Exception {
    return syncOn(k, Executors.newSingleThreadScheduledExecutor(), peers);
  }

  /** Node k's connection-state sync with {@code peers}, supervised on {@code scheduler}. */
  private ConnectionSync syncOn(int k, ScheduledExecutorService scheduler, int... peers)
      throws Exception {
    String peerAddrs =
        java.util.Arrays.stream(peers)
            .mapToObj(p -> "\"" + lab.get("N" + p + "_SYNC_IP") + ":9001\"")
            .collect(java.util.stream.Collectors.joining(", "));
    String text =
        """
        replication {
          mode = "replica"
          node_id = "n%d"
          listen_addr = "%s:9001"
          peer_addrs = [%s]
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
                peerAddrs,
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
                new LinuxProcessTable(),
                Clock.systemUTC())
            .prepare(config, scheduler);
    syncs.add(sync);
    sync.start(
        new SyncObserver() {
          @Override
          public void status(SyncStatus status) {}

          @Override
          public void alarm(String name, String detail, boolean raised) {
            alarms.add("n" + k + (raised ? " raise " : " clear ") + name + ": " + detail);
          }

          @Override
          public void event(String name, String detail) {
            alarms.add("n" + k + " event " + name + ": " + detail);
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

  /**
   * Node 1 holds the VIPs; a client opens a TCP connection to the server through it and keeps it
   * open. Returns the client once node 1's kernel tracks the connection.
   */
  private Process openConnectionThroughNode1() throws Exception {
    run("NS_N1", "ip", "addr", "add", lab.get("LAN_VIP") + "/24", "dev", lab.get("LAN_IF"));
    run("NS_N1", "ip", "addr", "add", lab.get("WAN_VIP") + "/24", "dev", lab.get("WAN_IF"));
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
    return client;
  }

  @Test
  void aConnectionThroughNode1IsCommittedIntoNode2sKernelOnTakeover() throws Exception {
    lab = NetLab.up(2);
    statefulForwarding("NS_N1");
    statefulForwarding("NS_N2");
    ConnectionSync n1 = syncOn(1, 2);
    ConnectionSync n2 = syncOn(2, 1);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                n1.status().healthy()
                    && n2.status().healthy()
                    && n2.status().stats().map(s -> s.messagesReceived() > 0).orElse(false));

    Process client = openConnectionThroughNode1();
    await().atMost(TIMEOUT).until(() -> conntrackd(2, 1, "-e").contains("dport=8080"));
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
    // With 8192 hash buckets or fewer conntrackd 1.4.7 would refuse this flush for good.
    assertThat(conntrackd(2, 1, "-e"))
        .as("the committed table is flushed from the external cache")
        .doesNotContain("dport=8080");
    assertThat(Files.readString(confPath(2, 1).resolveSibling("conntrackd.log")))
        .doesNotContain("ignoring flush command");
  }

  @Test
  void ofThreeNodesTheNewPrimaryCommitsTheOldPrimarysTableAndTheThirdNodeLearnsItAgain()
      throws Exception {
    lab = NetLab.up(3);
    for (String ns : List.of("NS_N1", "NS_N2", "NS_N3")) {
      statefulForwarding(ns);
    }
    ConnectionSync n1 = syncOn(1, 2, 3);
    ConnectionSync n2 = syncOn(2, 1, 3);
    ConnectionSync n3 = syncOn(3, 1, 2);
    await()
        .atMost(TIMEOUT)
        .until(() -> n1.status().healthy() && n2.status().healthy() && n3.status().healthy());
    assertThat(n1.status().peers()).extracting(PeerSyncStatus::port).containsExactly(3780, 3781);
    assertThat(n3.status().peers()).extracting(PeerSyncStatus::port).containsExactly(3781, 3782);

    openConnectionThroughNode1();
    await().atMost(TIMEOUT).until(() -> conntrackd(2, 1, "-e").contains("dport=8080"));
    await().atMost(TIMEOUT).until(() -> conntrackd(3, 1, "-e").contains("dport=8080"));
    assertThat(conntrackd(3, 2, "-e"))
        .as("node 2 has not forwarded it")
        .doesNotContain("dport=8080");

    // Node 1 is gone; node 2 takes over.
    n1.close();
    List<SyncStep> steps = n2.takeOver();

    assertThat(steps).allSatisfy(step -> assertThat(step.ok()).as(step.toString()).isTrue());
    assertThat(run("NS_N2", "conntrack", "-L", "-p", "tcp", "--dport", "8080"))
        .contains("ESTABLISHED");
    // The remaining backup hears of it from the new primary, on their own channel: with one
    // multicast group conntrackd would drop the new primary's messages here (one sequence
    // number for every sender, and node 1's is far ahead).
    await().atMost(TIMEOUT).until(() -> conntrackd(3, 2, "-e").contains("dport=8080"));
  }

  @Test
  void aConntrackdLeftRunningByAKilledDaemonIsReplacedAtTheNextStart() throws Exception {
    lab = NetLab.up(2);
    ScheduledExecutorService firstRun = Executors.newSingleThreadScheduledExecutor();
    ConntrackdSync killed = (ConntrackdSync) syncOn(1, firstRun, 2);
    await().atMost(TIMEOUT).until(() -> killed.status().state().equals("running"));
    long orphan = killed.pids().get(0);
    // The daemon dies as under SIGKILL: nothing supervises or stops its conntrackd any more.
    firstRun.shutdownNow();
    assertThat(conntrackdsOf(1, 2)).containsExactly(orphan);

    ConntrackdSync next = (ConntrackdSync) syncOn(1, 2);

    await()
        .atMost(TIMEOUT)
        .until(() -> next.status().state().equals("running") && next.pids().size() == 1);
    long fresh = next.pids().get(0);
    assertThat(fresh).isNotEqualTo(orphan);
    assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(conntrackdsOf(1, 2)).containsExactly(fresh);
    assertThat(alarms)
        .contains(
            "n1 event conntrackd_orphan_replaced: stopped the conntrackd (pid "
                + orphan
                + ") a killed daemon left running with "
                + confPath(1, 2)
                + " (SIGTERM); starting a fresh one");
    assertThat(Files.readString(confPath(1, 2).resolveSibling("conntrackd.pid")))
        .isEqualTo(fresh + "\n");
  }

  @Test
  void theSyncPortTakesNothingFromOutsideTheSyncLinkAndTheTestCanTell() throws Exception {
    lab = NetLab.up(2);
    ConnectionSync n1 = syncOn(1, 2);
    ConnectionSync n2 = syncOn(2, 1);
    await().atMost(TIMEOUT).until(() -> n1.status().healthy() && n2.status().healthy());
    // The client reaches node 1's sync address through node 1 as its gateway.
    run("NS_N1", "ip", "addr", "add", lab.get("LAN_VIP") + "/24", "dev", lab.get("LAN_IF"));
    String forge =
        "for i in 1 2 3 4 5; do echo forged-state > /dev/udp/"
            + lab.get("N1_SYNC_IP")
            + "/3780; done";

    run("NS_CLIENT", "bash", "-c", forge);
    // Without the guard the same datagrams reach conntrackd, which counts each as malformed; had
    // the first five got through, it would count ten.
    run("NS_N1", "nft", "delete", "table", "inet", ((ConntrackdSync) n1).guardTable());
    run("NS_CLIENT", "bash", "-c", forge);

    await().atMost(TIMEOUT).until(() -> malformed(1, 2) >= 5);
    assertThat(malformed(1, 2)).as("only the unguarded datagrams reached conntrackd").isEqualTo(5);
  }

  private long malformed(int k, int peer) throws ConntrackSyncException {
    return ConntrackdStats.parse(conntrackd(k, peer, "-s")).malformedMessages();
  }

  @Test
  void aPeerWhoseConntrackdDiesRaisesTheSilenceAlarmOnTheOtherNode() throws Exception {
    lab = NetLab.up(2);
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
    lab = NetLab.up(2);
    ConnectionSync n1 = syncOn(1, 2);
    syncOn(2, 1);
    await().atMost(TIMEOUT).until(() -> n1.status().state().equals("running"));
    // Kill our own child by its pid, as a crash would.
    long child = ((ConntrackdSync) n1).pids().get(0);
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

  /** Runs conntrackd's client on node k's channel to node {@code peer}. */
  private String conntrackd(int k, int peer, String option) {
    return run("NS_N" + k, "conntrackd", "-C", confPath(k, peer).toString(), option);
  }

  private Path confPath(int k, int peer) {
    return dir.resolve(
        "n" + k + "/conntrackd/" + lab.get("N" + peer + "_SYNC_IP") + "/conntrackd.conf");
  }

  /**
   * The processes in node k's namespace that run conntrackd with node k's channel to {@code peer}.
   */
  private List<Long> conntrackdsOf(int k, int peer) {
    String config = confPath(k, peer).toString();
    List<Long> found = new ArrayList<>();
    for (String pid : run("NS_N" + k, "ip", "netns", "pids", lab.get("NS_N" + k)).split("\\s+")) {
      if (pid.isBlank()) {
        continue;
      }
      new LinuxProcessTable()
          .find(Long.parseLong(pid))
          .filter(p -> OrphanedConntrackd.startedFor(p.commandLine(), Path.of(config)))
          .ifPresent(p -> found.add(p.pid()));
    }
    return found;
  }
}
