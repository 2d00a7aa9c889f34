package io.flywall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.lab.StateLoad;
import io.flywall.testing.FlywallProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Timers under load (DESIGN 10.2): a pair at heartbeat 25 ms x 3 runs for the given time (default
 * 10 minutes) while two busy loops keep both cores busy and a write load replicates to the backup.
 * Prints the takeovers seen (any takeover is a false one: nobody failed) and the GC pauses of both
 * daemons from -Xlog:gc. Run with scripts/soak-failover (root); not part of the test command.
 */
public final class SoakBenchmark {

  /** The daemon's JVM options and nice level as the package gives them, plus the GC log. */
  static List<String> daemonJava(Path gcLogs) {
    List<String> java = new ArrayList<>();
    // As flywall.service runs it (Nice=-10): the busy loops run at the default nice level.
    java.addAll(List.of("nice", "-n", "-10"));
    java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    java.addAll(LabBench.LAUNCHER_JVM);
    java.add(LabBench.gcLogOption(gcLogs));
    java.add("-jar");
    java.add(FlywallProcess.jar().toString());
    return java;
  }

  /** Usage: SoakBenchmark [MINUTES] */
  public static void main(String[] args) throws Exception {
    Duration length = Duration.ofMinutes(args.length > 0 ? Long.parseLong(args[0]) : 10);
    LabBench.requireLab("soak-failover");
    Path dir = Files.createTempDirectory("soak-failover");
    List<Process> load = new ArrayList<>();
    try (NetLab lab = NetLab.up(2)) {
      LabCluster cluster =
          new LabCluster(
              lab,
              dir.resolve("cluster"),
              daemonJava(dir),
              LabCluster.Settings.defaults().withHeartbeat("25ms", 3).withFailback("auto", "1s"));
      try (cluster) {
        cluster.start(1);
        cluster.start(2);
        LabBench.await(
            "n1 to hold the VIPs",
            Duration.ofSeconds(60),
            () -> cluster.lanVipHolders().equals(List.of(1)));
        LabBench.await(
            "n2 to be a backup",
            Duration.ofSeconds(60),
            () -> cluster.role(2).equals(java.util.Optional.of("backup")));
        int before = takeovers(cluster, 1) + takeovers(cluster, 2);
        long seconds = length.toSeconds();
        for (int i = 0; i < 2; i++) {
          // Bounded: each loop ends on its own when the soak does.
          load.add(
              new ProcessBuilder(
                      "timeout", Long.toString(seconds), "sh", "-c", "while :; do :; done")
                  .start());
        }
        load.add(writeLoad(lab, cluster, dir, seconds));
        load.add(bulkLoad(lab, cluster, dir, seconds));
        System.out.printf(
            Locale.ROOT,
            "soak: %d s at heartbeat 25 ms x 3, two busy loops, replication writes on n1 (single"
                + " PUTs and POST /api/state batches as fast as they are taken)%n",
            seconds);
        Instant end = Instant.now().plus(length);
        while (Instant.now().isBefore(end)) {
          Thread.sleep(
              Math.min(10_000, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
          System.out.printf(
              Locale.ROOT,
              "  %s roles n1=%s n2=%s%n",
              Instant.now(),
              cluster.role(1).orElse("?"),
              cluster.role(2).orElse("?"));
        }
        load.forEach(Process::destroyForcibly);
        int after = takeovers(cluster, 1) + takeovers(cluster, 2);
        String written =
            Files.exists(dir.resolve("acks"))
                ? Long.toString(Files.lines(dir.resolve("acks")).count())
                : "0";
        System.out.printf(Locale.ROOT, "soak: replicated writes acknowledged %s%n", written);
        List<String> rounds =
            Files.readAllLines(dir.resolve("bulk.log")).stream()
                .filter(line -> line.startsWith("{\"count\""))
                .toList();
        System.out.printf(
            Locale.ROOT,
            "soak: batch rounds of 1,000,000 changes completed %d (rates %s changes/s)%n",
            rounds.size(),
            rounds.stream().map(line -> line.replaceAll(".*\"rate\": ([0-9]+).*", "$1")).toList());
        System.out.printf(
            Locale.ROOT, "soak: takeovers %d (all false: nobody failed)%n", after - before);
      }
      gcReport(dir);
    } finally {
      load.forEach(Process::destroyForcibly);
    }
  }

  private static Process writeLoad(NetLab lab, LabCluster cluster, Path dir, long seconds)
      throws Exception {
    Path project = Path.of(System.getProperty("flywall.project.dir", "."));
    return new ProcessBuilder(
            "timeout",
            Long.toString(seconds),
            "ip",
            "netns",
            "exec",
            lab.nodeNamespace(1),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx96m",
            "-cp",
            FlywallProcess.jar() + ":" + project.resolve("target/test-classes"),
            StateLoad.class.getName(),
            "http://127.0.0.1:8080",
            cluster.tokenFile(1).toString(),
            "soak",
            "k",
            "100000000",
            "1",
            dir.resolve("acks").toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("load.log").toFile())
        .start();
  }

  /**
   * Batches as fast as the primary takes them (ApiLoad: 1,000,000 changes in 1,000-change batches
   * on 4 connections, the same keys each round, so the database stops growing after the first),
   * round after round until the soak's end: a bulk load allocates and replicates far more than the
   * single PUTs. The shell loop ends by itself at the deadline even if this process dies first.
   */
  private static Process bulkLoad(NetLab lab, LabCluster cluster, Path dir, long seconds)
      throws Exception {
    Path project = Path.of(System.getProperty("flywall.project.dir", "."));
    List<String> command =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                lab.nodeNamespace(1),
                "sh",
                "-c",
                "end=$(($(date +%s) + $0)); while [ \"$(date +%s)\" -lt \"$end\" ]; do"
                    + " timeout $((end - $(date +%s) + 1)) \"$@\" || sleep 1; done",
                Long.toString(seconds),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                FlywallProcess.jar() + ":" + project.resolve("target/test-classes"),
                ApiLoad.class.getName(),
                "batch",
                "http://127.0.0.1:8080",
                cluster.tokenFile(1).toString(),
                "1000000",
                "1000",
                "4",
                "bulk-"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("bulk.log").toFile())
        .start();
  }

  private static int takeovers(LabCluster cluster, int k) {
    JsonNode history = cluster.api(k, "/api/ha/history?limit=1000").orElseThrow();
    int n = 0;
    for (JsonNode event : history.path("events")) {
      if (event.path("to_role").asText().equals("primary")
          && !event.path("from_role").asText().equals("primary")) {
        n++;
      }
    }
    return n;
  }

  private static void gcReport(Path dir) throws Exception {
    List<Double> pauses = new ArrayList<>();
    try (Stream<Path> logs = Files.list(dir)) {
      for (Path log :
          logs.filter(p -> p.getFileName().toString().startsWith("gc-")).sorted().toList()) {
        List<LabBench.GcPause> daemon = LabBench.gcPauses(log);
        System.out.printf(
            Locale.ROOT, "soak: %s: %s%n", log.getFileName(), LabBench.describe(daemon));
        for (LabBench.GcPause pause : daemon) {
          pauses.add(pause.ms());
        }
      }
    }
    double[] sorted = pauses.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (sorted.length == 0) {
      System.out.println("soak: GC pauses 0");
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "soak: GC pauses %d (both daemons, serial collector): median %.2f ms, p99 %.2f ms, max %.2f"
            + " ms, total %.0f ms%n",
        sorted.length,
        LabBench.median(sorted),
        sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
        sorted[sorted.length - 1],
        java.util.Arrays.stream(sorted).sum());
  }
}
