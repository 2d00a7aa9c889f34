package io.flywall.bench;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * DESIGN 10.2: the first heartbeat on the wire within 1.5 s of process start. A UDP listener in the
 * peer's namespace notes when the first datagram arrives on the heartbeat port; the time counts
 * from just before {@code flywall run} is started (the first run with an empty state directory, the
 * others restarts), for the plain {@code java -jar} start and for the launcher as the systemd unit
 * runs it (bin/flywall, with the class-data sharing archive a first clean stop records). Reference,
 * in the same run: the same JVM starting the same jar for {@code flywall --help}; with {@code
 * -Dflywall.reference.jar=JAR} (REFERENCE_JAR=JAR scripts/bench-first-heartbeat) also another
 * build's plain {@code java -jar} start, alternated with the others. Run with
 * scripts/bench-first-heartbeat (root).
 */
public final class FirstHeartbeatBenchmark {

  private static final String LISTENER =
      "import socket,sys,time\n"
          + "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
          + "s.bind((sys.argv[1],9002))\n"
          + "print('ready',flush=True)\n"
          + "s.settimeout(60)\n"
          + "s.recvfrom(4096)\n"
          + "print(time.time_ns(),flush=True)\n";

  /** Usage: FirstHeartbeatBenchmark [RUNS] */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    LabBench.requireLab("bench-first-heartbeat");
    List<String> plain = SoakBenchmark.daemonJava(Files.createTempDirectory("first-hb-gc"));
    // As flywall.service starts it: /usr/bin/flywall (bin/flywall here) with its class-data
    // sharing archive, recorded by a first daemon's clean stop.
    Path project = Path.of(System.getProperty("flywall.project.dir", "."));
    List<String> launcher =
        List.of("nice", "-n", "-10", project.resolve("bin/flywall").toAbsolutePath().toString());
    Files.deleteIfExists(project.resolve("target/flywall.jsa"));
    double[] bare = new double[runs];
    double[] first = new double[runs];
    double[] shared = new double[runs];
    Optional<Path> referenceJar =
        Optional.ofNullable(System.getProperty("flywall.reference.jar")).map(Path::of);
    List<String> reference = new ArrayList<>(plain);
    referenceJar.ifPresent(jar -> reference.set(reference.size() - 1, jar.toString()));
    double[] before = new double[runs];
    // As the Debian package does: a class list recorded by one daemon run, dumped into a static
    // archive (postinst), mapped by /usr/bin/flywall from the first start on.
    Path cds = Files.createTempDirectory("first-hb-cds");
    List<String> listing =
        withBeforeJar(plain, "-XX:DumpLoadedClassList=" + cds.resolve("classes.lst"));
    List<String> packaged =
        withBeforeJar(
            plain, "-XX:SharedArchiveFile=" + cds.resolve("flywall.jsa"), "-Xlog:cds*=off");
    double[] installed = new double[runs];
    try (NetLab lab = NetLab.up(2);
        LabCluster listingCluster = cluster(lab, listing);
        LabCluster packagedCluster = cluster(lab, packaged);
        LabCluster plainCluster = cluster(lab, plain);
        LabCluster launcherCluster = cluster(lab, launcher);
        LabCluster referenceCluster = cluster(lab, reference)) {
      // The launcher's first start (empty state dir) records the archive at its clean stop.
      double launcherFirst = firstHeartbeat(lab, launcherCluster);
      launcherCluster.stop(1);
      firstHeartbeat(lab, listingCluster);
      listingCluster.stop(1);
      dumpArchive(cds);
      // Alternated, so that the load of a shared machine weighs on both alike.
      for (int r = 0; r < runs; r++) {
        first[r] = firstHeartbeat(lab, plainCluster);
        plainCluster.kill(1);
        shared[r] = firstHeartbeat(lab, launcherCluster);
        launcherCluster.kill(1);
        if (referenceJar.isPresent()) {
          before[r] = firstHeartbeat(lab, referenceCluster);
          referenceCluster.kill(1);
        }
        installed[r] = firstHeartbeat(lab, packagedCluster);
        packagedCluster.kill(1);
        bare[r] = bareStart(plain);
        System.out.printf(
            Locale.ROOT,
            "run %d%s: first heartbeat %.0f ms after start with java -jar, %.0f ms with bin/flywall"
                + " and its CDS archive, %.0f ms with the package's archive%s%n",
            r + 1,
            r == 0 ? " (empty state dir but for bin/flywall's)" : "",
            first[r],
            shared[r],
            installed[r],
            referenceJar.isPresent()
                ? String.format(Locale.ROOT, ", %.0f ms with the reference jar", before[r])
                : "");
      }
      double ref = LabBench.median(bare);
      System.out.printf(
          Locale.ROOT,
          "reference, bare JVM + jar (--help): median %.0f ms over %d runs%n",
          ref,
          runs);
      // A first start (empty state directory) derives the keys with Argon2id and creates the
      // database; a restart finds both: they are reported apart.
      System.out.printf(
          Locale.ROOT,
          "first start (empty state dir): java -jar %.0f ms, bin/flywall (no CDS archive yet)"
              + " %.0f ms, with the package's archive %.0f ms%s%n",
          first[0],
          launcherFirst,
          installed[0],
          referenceJar.isPresent()
              ? String.format(Locale.ROOT, ", reference jar %.0f ms", before[0])
              : "");
      double[] restarts = restarts(first);
      double[] referenceRestarts = restarts(before);
      if (restarts.length > 0) {
        report("restart, java -jar", restarts, ref);
        report("restart, bin/flywall with its CDS archive", sorted(shared), ref);
        report("restart, java -jar with the package's archive", restarts(installed), ref);
        if (referenceJar.isPresent()) {
          report("restart, java -jar " + referenceJar.get(), referenceRestarts, ref);
          System.out.printf(
              Locale.ROOT,
              "restart, java -jar, this build against the reference jar: median ratio %.2f%n",
              LabBench.median(restarts) / LabBench.median(referenceRestarts));
        }
      }
    }
  }

  /** {@code daemon} (ending in -jar JAR) with {@code options} before -jar. */
  private static List<String> withBeforeJar(List<String> daemon, String... options) {
    List<String> command = new ArrayList<>(daemon);
    command.addAll(command.size() - 2, List.of(options));
    return command;
  }

  /** What the package's postinst does: the class list dumped into a static archive. */
  private static void dumpArchive(Path cds) throws Exception {
    Process dump =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:dump",
                "-XX:SharedClassListFile=" + cds.resolve("classes.lst"),
                "-XX:SharedArchiveFile=" + cds.resolve("flywall.jsa"),
                "-cp",
                io.flywall.testing.FlywallProcess.jar().toString())
            .redirectErrorStream(true)
            .redirectOutput(cds.resolve("dump.log").toFile())
            .start();
    if (!dump.waitFor(180, java.util.concurrent.TimeUnit.SECONDS) || dump.exitValue() != 0) {
      dump.destroyForcibly();
      throw new IllegalStateException("the CDS dump failed: see " + cds.resolve("dump.log"));
    }
  }

  /** Runs 2..N sorted: run 1 of a cluster started with an empty state directory. */
  private static double[] restarts(double[] runs) {
    return sorted(java.util.Arrays.copyOfRange(runs, Math.min(1, runs.length), runs.length));
  }

  private static double[] sorted(double[] values) {
    double[] copy = values.clone();
    java.util.Arrays.sort(copy);
    return copy;
  }

  private static LabCluster cluster(NetLab lab, List<String> daemon) throws Exception {
    return new LabCluster(
        lab, Files.createTempDirectory("first-hb"), daemon, LabCluster.Settings.defaults());
  }

  private static void report(String what, double[] times, double reference) {
    System.out.printf(
        Locale.ROOT,
        "first heartbeat, %s: median %.0f ms, max %.0f ms over %d runs; ratio to the bare JVM %.2f%n",
        what,
        LabBench.median(times),
        times[times.length - 1],
        times.length,
        LabBench.median(times) / reference);
  }

  /** Starts node 1 and returns the milliseconds until its first datagram reached the peer. */
  private static double firstHeartbeat(NetLab lab, LabCluster cluster) throws Exception {
    Process listener =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                lab.nodeNamespace(2),
                "python3",
                "-c",
                LISTENER,
                lab.get("N2_SYNC_IP"))
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8))) {
      if (!"ready".equals(out.readLine())) {
        throw new IllegalStateException("the UDP listener did not start");
      }
      Instant start = Instant.now();
      cluster.start(1);
      String line = out.readLine();
      if (line == null || !line.matches("\\d+")) {
        throw new IllegalStateException("no heartbeat within 60 s: " + line);
      }
      long arrived = Long.parseLong(line);
      long started = start.getEpochSecond() * 1_000_000_000L + start.getNano();
      return (arrived - started) / 1e6;
    } finally {
      listener.destroyForcibly();
    }
  }

  private static double bareStart(List<String> daemon) throws Exception {
    List<String> command = new ArrayList<>(daemon);
    command.add("--help");
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("flywall --help did not end within 60 s");
    }
    return (System.nanoTime() - t0) / 1e6;
  }
}
