package io.flywall.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.network.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The namespace-lab half of {@code scripts/bench-replication} (root, not a test): two real daemons
 * (three or more with {@code -Dbench.nodes=N}) in the lab, replicating over the sync network with
 * TLS + zstd. Measures, with the writer inside the primary's namespace against its API: single PUTs
 * on one connection (latency and rate), and {@code POST /api/state} batches end to end, from the
 * writer's first request to the replica holding the same position and checksum, with the CPU time
 * per change of the primary, the replica and the load generator; the resident memory of both
 * daemons after it. With {@code --reference-jar JAR} everything but the memory is measured for that
 * build too, in the same run, between two runs of this build.
 *
 * <p>{@code ReplicationLabBench [--reference-jar JAR] [CHANGES [BATCH [CONNECTIONS]]]}, defaults
 * 500000, 1000, 4.
 */
public final class ReplicationLabBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LIMIT = Duration.ofSeconds(120);
  private static final int SINGLE_PUTS = 2_000;

  /**
   * Daemons in the lab ({@code -Dbench.nodes=N}, default 2): with 3 the primary streams to two
   * replicas, and end to end waits for both.
   */
  private static final int NODES = Integer.getInteger("bench.nodes", 2);

  /**
   * Changes written through the batch path before it is measured ({@code -Dbench.warmup=N}). With
   * 50,000 the JIT compiler still took almost half of the primary's CPU during the measured phase;
   * with 200,000 it still took a third (perf, 2026-11-30: the C2 compiler thread 35% of the
   * primary's samples, its Jetty threads 31%), compiling the store's write path and the request's
   * until 35 s of uptime. The measured figure is meant to be the daemon's steady state, which a
   * one-off compilation is not; the warm-up's own rate is printed too (a fresh daemon's).
   */
  private static final int WARMUP_CHANGES = Integer.getInteger("bench.warmup", 600_000);

  /** USER_HZ of /proc/PID/stat: 100 on every Linux architecture the daemon runs on. */
  private static final long CLOCK_TICKS = 100;

  private ReplicationLabBench() {}

  public static void main(String[] args) throws Exception {
    List<String> rest = new ArrayList<>(List.of(args));
    Optional<Path> reference = Optional.empty();
    if (!rest.isEmpty() && rest.get(0).equals("--reference-jar")) {
      reference = Optional.of(Path.of(rest.get(1)));
      rest = rest.subList(2, rest.size());
    }
    int changes = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 500_000;
    int batch = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 1000;
    int connections = rest.size() > 2 ? Integer.parseInt(rest.get(2)) : 4;
    Optional<String> unavailable = NetLab.unavailableReason();
    if (unavailable.isPresent()) {
      System.out.println("namespace lab part skipped: " + unavailable.get());
      return;
    }
    Path jar = Path.of(System.getProperty("flywall.jar", "target/flywall.jar"));
    System.out.printf(
        Locale.ROOT,
        "flywall replication benchmark, namespace lab: %d daemons (java %s, as bin/flywall"
            + " runs them), TLS + zstd over the sync network, async mode%n%n",
        NODES,
        String.join(" ", LabBench.LAUNCHER_JVM));
    Measured now = run(jar, changes, batch, connections, true);
    // This build, the reference, this build again (the load of a shared machine drifts); the batch
    // path too, so CPU per change is compared within one run.
    Measured before =
        reference.isPresent() ? run(reference.get(), changes, batch, connections, true) : null;
    Measured again = reference.isPresent() ? run(jar, changes, batch, connections, true) : null;

    System.out.printf(
        Locale.ROOT,
        "single PUTs, one connection, %,d sequential writes after a warm-up:%n",
        SINGLE_PUTS);
    System.out.printf(Locale.ROOT, "%-28s %10s %9s %9s%n", "build", "writes/s", "p50", "p99");
    print("this build (" + jar.getFileName() + ")", now.single);
    if (before != null) {
      print("reference (" + reference.get().getFileName() + ")", before.single);
      print("this build again", again.single);
      System.out.printf(
          Locale.ROOT,
          "ratio this (mean of both runs) / reference: rate %.2f, p50 latency %.2f%n",
          (now.single.path("rate").asDouble() + again.single.path("rate").asDouble())
              / 2
              / before.single.path("rate").asDouble(),
          (now.single.path("p50_ms").asDouble() + again.single.path("p50_ms").asDouble())
              / 2
              / before.single.path("p50_ms").asDouble());
    }
    System.out.printf(
        Locale.ROOT,
        "%nPOST /api/state, %,d changes in %,d-change batches over %d connections, after %,d"
            + " changes of warm-up on the same connections (accepted at %,.0f changes/s by the"
            + " fresh daemons):%n"
            + "  accepted by the primary: %,.0f changes/s (%.2f s)%n"
            + "  end to end (first request to equal position and checksum on every replica):"
            + " %,.0f changes/s (%.2f s)%n",
        changes,
        batch,
        connections,
        WARMUP_CHANGES,
        now.batch.path("warmup_rate").asDouble(),
        now.batch.path("rate").asDouble(),
        now.batch.path("seconds").asDouble(),
        changes / now.endToEndSeconds,
        now.endToEndSeconds);
    printCpu("this build", now, changes);
    if (before != null) {
      printCpu("reference", before, changes);
      printCpu("this build again", again, changes);
      double[] cpu = new double[now.cpuMicros.length];
      for (int i = 0; i < cpu.length; i++) {
        cpu[i] = (now.cpuMicros[i] + again.cpuMicros[i]) / 2.0 / before.cpuMicros[i];
      }
      System.out.printf(
          Locale.ROOT,
          "  ratio this (mean of both runs) / reference: CPU per change primary %.2f, %s %s,"
              + " load generator %.2f; end to end changes/s %.2f%n",
          cpu[0],
          NODES > 2 ? "replicas" : "replica",
          joined(java.util.Arrays.copyOfRange(cpu, 1, cpu.length - 1), "%.2f", 1),
          cpu[cpu.length - 1],
          (before.endToEndSeconds * 2) / (now.endToEndSeconds + again.endToEndSeconds));
    }
    System.out.printf(
        Locale.ROOT, "%ncollector pauses of each daemon over its whole run (warm-up included):%n");
    printGc("this build", now);
    if (before != null) {
      printGc("reference", before);
      printGc("this build again", again);
    }
    System.out.printf(
        Locale.ROOT,
        "%nresident memory after it: primary %,d MB, %s %s MB%n",
        now.rssKb[0] / 1024,
        NODES > 2 ? "replicas" : "replica",
        joined(
            java.util.Arrays.stream(now.rssKb, 1, now.rssKb.length).mapToDouble(kb -> kb).toArray(),
            "%,.0f",
            1.0 / 1024));
  }

  /** The values times {@code scale}, each in {@code format}, comma-separated. */
  private static String joined(double[] values, String format, double scale) {
    List<String> out = new ArrayList<>();
    for (double value : values) {
      out.add(String.format(Locale.ROOT, format, value * scale));
    }
    return String.join(", ", out);
  }

  /** One build's batch figures: rates and CPU per change of the three processes. */
  private static void printCpu(String label, Measured m, int changes) {
    double[] perChange = new double[m.cpuMicros.length];
    double total = 0;
    for (int i = 0; i < perChange.length; i++) {
      perChange[i] = m.cpuMicros[i] / (double) changes;
      total += perChange[i];
    }
    System.out.printf(
        Locale.ROOT,
        "  %-17s accepted %,7.0f/s, end to end %,7.0f/s; CPU per change: primary %.1f us,"
            + " %s %s us, load generator %.1f us (whole processes, JSON included); %d cores"
            + " without other work would allow about %,.0f changes/s%n",
        label,
        m.batch.path("rate").asDouble(),
        changes / m.endToEndSeconds,
        perChange[0],
        NODES > 2 ? "replicas" : "replica",
        joined(java.util.Arrays.copyOfRange(perChange, 1, perChange.length - 1), "%.1f", 1),
        perChange[perChange.length - 1],
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().availableProcessors() * 1e6 / total);
  }

  private static void printGc(String label, Measured m) {
    List<String> replicas = new ArrayList<>();
    for (int i = 1; i < m.gc.size(); i++) {
      replicas.add(
          (m.gc.size() > 2 ? "replica " + i : "replica") + " " + LabBench.describe(m.gc.get(i)));
    }
    System.out.printf(
        Locale.ROOT,
        "  %-17s primary %s; %s%n",
        label,
        LabBench.describe(m.gc.get(0)),
        String.join("; ", replicas));
  }

  private static void print(String label, JsonNode single) {
    System.out.printf(
        Locale.ROOT,
        "%-28s %,10.0f %7.2fms %7.2fms%n",
        label,
        single.path("rate").asDouble(),
        single.path("p50_ms").asDouble(),
        single.path("p99_ms").asDouble());
  }

  /**
   * Extra JVM options for both daemons, from FLYWALL_BENCH_DAEMON_OPTS (space-separated), e.g. a
   * flight recording to profile them. Give the recording a directory ({@code
   * -XX:StartFlightRecording=filename=/tmp/prof/}): each daemon then writes its own file there,
   * named with its process id.
   */
  private static List<String> daemonOptions() {
    String options = System.getenv().getOrDefault("FLYWALL_BENCH_DAEMON_OPTS", "").strip();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  /**
   * What one cluster measured; the arrays and {@code gc} hold the primary first, then each replica
   * ({@code cpuMicros} then the load generator).
   */
  private record Measured(
      JsonNode single,
      JsonNode batch,
      double endToEndSeconds,
      long[] rssKb,
      long[] cpuMicros,
      long[] pids,
      List<List<LabBench.GcPause>> gc) {}

  private static Measured run(Path jar, int changes, int batch, int connections, boolean full)
      throws Exception {
    Path dir = Files.createTempDirectory("flywall-bench-replication-");
    List<String> java = new ArrayList<>();
    java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    java.addAll(LabBench.LAUNCHER_JVM);
    java.add(LabBench.gcLogOption(dir));
    java.addAll(daemonOptions());
    java.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    try {
      Measured m = run(jar, dir, java, changes, batch, connections, full);
      List<List<LabBench.GcPause>> gc = new ArrayList<>();
      for (long pid : m.pids) {
        gc.add(LabBench.gcPauses(dir.resolve("gc-" + pid + ".log")));
      }
      return new Measured(m.single, m.batch, m.endToEndSeconds, m.rssKb, m.cpuMicros, m.pids, gc);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Measured run(
      Path jar, Path dir, List<String> java, int changes, int batch, int connections, boolean full)
      throws Exception {
    try (NetLab lab = NetLab.up(NODES);
        LabCluster cluster =
            new LabCluster(
                lab,
                dir,
                java,
                LabCluster.Settings.defaults()
                    .withHeartbeat("300ms", 3)
                    .withFailback("disabled", "1s"))) {
      cluster.startAll();
      await(() -> cluster.lanVipHolders().size() == 1, "a primary");
      int primary = cluster.lanVipHolders().get(0);
      List<Integer> replicas = new ArrayList<>();
      for (int k = 1; k <= NODES; k++) {
        if (k != primary) {
          replicas.add(k);
        }
      }
      for (int replica : replicas) {
        await(
            () ->
                cluster
                    .api(replica, "/api/replication/status")
                    .map(s -> s.path("sync_state").asText().equals("in_sync"))
                    .orElse(false),
            "n" + replica + " in sync");
      }
      long[] pids = new long[NODES];
      pids[0] = cluster.pid(primary);
      for (int i = 0; i < replicas.size(); i++) {
        pids[i + 1] = cluster.pid(replicas.get(i));
      }
      JsonNode single = load(lab, cluster, primary, "single", Integer.toString(SINGLE_PUTS), "300");
      if (!full) {
        return new Measured(single, null, 0, null, null, pids, List.of());
      }
      // One writer process warms up (the daemons and itself), waits while the replica catches up,
      // then writes the measured changes on the same connections.
      Path gate = Files.createDirectories(dir.resolve("gate"));
      CompletableFuture<JsonNode> writing =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return load(
                      lab,
                      cluster,
                      primary,
                      "batch",
                      Integer.toString(changes),
                      Integer.toString(batch),
                      Integer.toString(connections),
                      "run-",
                      Integer.toString(WARMUP_CHANGES),
                      gate.toString());
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              });
      await(
          () -> {
            if (writing.isDone()) {
              writing.join(); // the writer failed before its warm-up ended: say why
            }
            return Files.exists(gate.resolve("warmed"));
          },
          "the writer's warm-up");
      await(() -> converged(cluster, primary, replicas), "the replicas after the warm-up");
      long[] cpuBefore = new long[NODES];
      for (int i = 0; i < NODES; i++) {
        cpuBefore[i] = cpuMicros(pids[i]);
      }
      Files.createFile(gate.resolve("go"));
      JsonNode load = writing.get(10, TimeUnit.MINUTES);
      await(() -> converged(cluster, primary, replicas), "the replicas after the run");
      double endToEnd = (System.currentTimeMillis() - load.path("start_ms").asLong()) / 1000.0;
      long[] rss = new long[NODES];
      long[] cpu = new long[NODES + 1];
      for (int i = 0; i < NODES; i++) {
        rss[i] = rssKb(pids[i]);
        cpu[i] = cpuMicros(pids[i]) - cpuBefore[i];
      }
      cpu[NODES] = load.path("cpu_us").asLong();
      if (!daemonOptions().isEmpty()) {
        // A clean stop, so a flight recording among the options is written out.
        for (int k = 1; k <= NODES; k++) {
          cluster.stop(k);
        }
      }
      return new Measured(single, load, endToEnd, rss, cpu, pids, List.of());
    }
  }

  /** Whether every replica holds the primary's position and checksum. */
  private static boolean converged(LabCluster cluster, int primary, List<Integer> replicas) {
    Optional<JsonNode> x = cluster.api(primary, "/api/replication/status");
    if (x.isEmpty()) {
      return false;
    }
    for (int replica : replicas) {
      Optional<JsonNode> y = cluster.api(replica, "/api/replication/status");
      if (y.isEmpty()
          || x.get().path("position").asLong() != y.get().path("position").asLong()
          || !x.get().path("checksum").asText().equals(y.get().path("checksum").asText())) {
        return false;
      }
    }
    return true;
  }

  /** Runs {@link ApiLoad} inside node k's namespace against its own API; its JSON line. */
  private static JsonNode load(NetLab lab, LabCluster cluster, int k, String... args)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                ApiLoad.class.getName(),
                args[0],
                "http://127.0.0.1:8080",
                cluster.tokenFile(k).toString()));
    command.addAll(List.of(args).subList(1, args.length));
    CommandResult result = lab.in(lab.nodeNamespace(k)).run(command, Duration.ofMinutes(10));
    if (!result.ok()) {
      throw new IllegalStateException("the load failed: " + result.describe());
    }
    String[] lines = result.stdout().strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  /** CPU time (user + system) of a process so far, from /proc, in microseconds. */
  private static long cpuMicros(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    // Fields after the command name, which is in parentheses and may hold spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1_000_000 / CLOCK_TICKS;
  }

  private static long rssKb(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /** A condition that may throw. */
  private interface Check {
    boolean ok() throws Exception;
  }

  private static void await(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached within " + LIMIT.toSeconds() + " s: " + what);
      }
      Thread.sleep(20);
    }
  }
}
