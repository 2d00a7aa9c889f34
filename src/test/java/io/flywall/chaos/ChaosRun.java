package io.flywall.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.testing.FlywallProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One chaos run: a lab, real daemons, the client, the writer and the recorders; the nemesis for the
 * given minutes; the final heal; then the checkers over the history. Prints the summary and ends
 * with {@code faults: N} and {@code violations: N}; writes {@code target/chaos/SEED/}.
 */
public final class ChaosRun {
  static final long PING_INTERVAL_MS = 20;
  private static final long HEARTBEAT_MS = 200;
  private static final int THRESHOLD = 3;
  private static final long STARTUP_HOLD_MS = 5_000;
  private static final long FAILBACK_DELAY_MS = 3_000;

  /** Three JVMs starting at once on two busy cores took 39 s in a trial run. */
  private static final long COLD_START_MS = 120_000;

  private static final Pattern CRASH =
      Pattern.compile("Exception in thread|(?i:uncaught)|OutOfMemoryError|hs_err_pid|SIGSEGV");

  /** What a run ends with. */
  record Outcome(long seed, int faults, List<Violation> violations, Path dir) {}

  public static void main(String[] args) throws Exception {
    ChaosOptions options;
    try {
      options = ChaosOptions.parse(List.of(args));
    } catch (ChaosOptions.BadOptions e) {
      System.err.println("chaos: " + e.getMessage());
      System.exit(2);
      return;
    }
    Optional<String> unavailable = NetLab.unavailableReason();
    if (unavailable.isPresent()) {
      System.err.println("chaos: " + unavailable.get());
      System.exit(2);
      return;
    }
    long seed = options.seed().orElseGet(() -> new SecureRandom().nextLong());
    Outcome outcome = run(options.nodes(), options.minutes(), seed, Path.of("target", "chaos"));
    System.out.println("faults: " + outcome.faults());
    System.out.println("violations: " + outcome.violations().size());
    System.exit(outcome.violations().isEmpty() ? 0 : 1);
  }

  static Outcome run(int nodes, double minutes, long seed, Path root) throws Exception {
    Path dir = root.resolve(Long.toString(seed));
    deleteTree(dir);
    Files.createDirectories(dir);
    String replay =
        String.format(
            Locale.ROOT, "scripts/chaos --nodes %d --minutes %s --seed %d", nodes, minutes, seed);
    System.out.println("chaos: " + replay + " (files in " + dir + ")");
    Bounds bounds = Bounds.of(HEARTBEAT_MS, THRESHOLD, STARTUP_HOLD_MS, FAILBACK_DELAY_MS);
    try (NetLab lab = NetLab.up(3)) {
      // The wrapper script removes this lab should this JVM die without its hooks.
      Files.writeString(dir.resolve("lab-prefix"), lab.prefix() + "\n");
      LabCluster cluster =
          new LabCluster(lab, dir.resolve("cluster"), FlywallProcess.javaCommand(), settings());
      WitnessVariant witness =
          nodes == 2 ? WitnessVariant.start(lab, cluster, dir.resolve("cluster")) : null;
      try {
        return run(lab, cluster, nodes, minutes, seed, dir, bounds, replay);
      } finally {
        cluster.close();
        if (witness != null) {
          witness.close();
        }
      }
    }
  }

  private static LabCluster.Settings settings() {
    return LabCluster.Settings.defaults()
        .withHeartbeat(HEARTBEAT_MS + "ms", THRESHOLD)
        .withFailback("auto", FAILBACK_DELAY_MS + "ms")
        .withReplicationExtra("  sync_mode = \"sync\"")
        .withHaExtra(
            """
                conntrack_sync {
                  enabled = true
                  interface = "fwt-sync"
                  sync_interval = "1s"
                }
            """);
  }

  private static Outcome run(
      NetLab lab,
      LabCluster cluster,
      int nodes,
      double minutes,
      long seed,
      Path dir,
      Bounds bounds,
      String replay)
      throws Exception {
    HistoryLog log = new HistoryLog(Clock.systemUTC());
    Daemons daemons = new Daemons(cluster, nodes, log);
    List<String> namespaces = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      namespaces.add(lab.nodeNamespace(k));
    }
    long runMs = Math.round(minutes * 60_000);
    long probes = (runMs + 2 * bounds.convergenceMs() + 120_000) / PING_INTERVAL_MS;
    List<Violation> violations = new ArrayList<>();
    try (VipWatch vips = VipWatch.start(namespaces, lab.get("LAN_VIP"), log);
        ClusterWatch watch = new ClusterWatch(lab, daemons, log)) {
      for (int k = 1; k <= nodes; k++) {
        daemons.start(k);
      }
      Nemesis nemesis = new Nemesis(lab, cluster, daemons, log, bounds, dir);
      nemesis.awaitConverged();
      if (log.snapshot(nodes).convergedBetween(0, Long.MAX_VALUE).isEmpty()) {
        violations.add(
            new Violation(
                "election",
                log.now(),
                "the cold start did not elect n1 with every replica in sync"));
      }
      ClientProbe probe =
          ClientProbe.start(
              lab.clientNamespace(), lab.get("SERVER_IP"), PING_INTERVAL_MS, probes, log);
      List<History.Reply> replies;
      List<History.FinalNode> finals;
      try (Writer writer = new Writer(lab, cluster, log)) {
        long until = log.now() + runMs;
        int groups = nemesis.run(NemesisSchedule.groups(seed, 100_000), until);
        System.out.println("chaos: " + groups + " fault groups run; final heal");
        writer.close();
        finals = settle(lab, cluster, nodes, log, bounds);
      } finally {
        replies = probe.finish();
      }
      History history =
          log.toHistory(seed, nodes, replies, PING_INTERVAL_MS, findings(cluster, nodes), finals);
      for (Check check : Check.all()) {
        violations.addAll(check.check(history, bounds));
      }
      violations.sort(Comparator.comparingLong(Violation::tMs));
      String summary = Report.summary(history, bounds, violations, replay);
      Files.writeString(dir.resolve("summary.txt"), summary);
      Files.writeString(dir.resolve("timeline.txt"), Report.timeline(history));
      System.out.print(summary);
      System.out.println("timeline: " + dir.resolve("timeline.txt"));
      int faults = (int) history.faults().stream().filter(f -> !f.skipped()).count();
      return new Outcome(seed, faults, violations, dir);
    }
  }

  /**
   * After the writer stopped: waits (at most the convergence bound) until every node answers with
   * the same checksum, then reads each node's keys and checksum.
   */
  private static List<History.FinalNode> settle(
      NetLab lab, LabCluster cluster, int nodes, HistoryLog log, Bounds bounds) {
    long deadline = log.now() + bounds.convergenceMs();
    while (log.now() < deadline) {
      History.Round round = log.lastRound();
      Set<String> checksums = new TreeSet<>();
      round.views().values().forEach(v -> checksums.add(v.checksum()));
      if (round.views().size() == nodes && checksums.size() == 1) {
        break;
      }
      LockSupport.parkNanos(Duration.ofMillis(ClusterWatch.ROUND_MS).toNanos());
    }
    List<History.FinalNode> finals = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      Optional<JsonNode> entries = cluster.api(k, "/api/state/" + Writer.BUCKET + "?limit=10000");
      Optional<String> checksum =
          cluster.api(k, "/api/replication/status").map(s -> s.path("checksum").asText());
      Optional<Set<String>> keys =
          entries.map(
              e -> {
                Set<String> found = new TreeSet<>();
                e.path("entries").forEach(entry -> found.add(entry.path("key").asText()));
                return found;
              });
      finals.add(new History.FinalNode(k, keys, checksum));
    }
    return finals;
  }

  private static List<History.LogFinding> findings(LabCluster cluster, int nodes)
      throws IOException {
    List<History.LogFinding> findings = new ArrayList<>();
    for (int k = 1; k <= nodes; k++) {
      if (!Files.exists(cluster.log(k))) {
        continue;
      }
      int node = k;
      try (Stream<String> lines = Files.lines(cluster.log(k))) {
        lines
            .filter(line -> CRASH.matcher(line).find())
            .limit(10)
            .forEach(line -> findings.add(new History.LogFinding(node, line)));
      }
    }
    return findings;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private ChaosRun() {}
}
