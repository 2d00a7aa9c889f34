package io.flywall.bench;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * DESIGN 10.2: the first heartbeat on the wire within 1.5 s of process start. A UDP listener in the
 * peer's namespace notes when the first datagram arrives on the heartbeat port; the time counts
 * from just before {@code flywall run} is started (the first run with an empty state directory, the
 * others restarts). Reference, in the same run: the same JVM starting the same jar for {@code
 * flywall --help}. Run with scripts/bench-first-heartbeat (root).
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
    List<String> daemon = SoakBenchmark.daemonJava(Files.createTempDirectory("first-hb-gc"));
    double[] first = new double[runs];
    double[] reference = new double[runs];
    try (NetLab lab = NetLab.up(2);
        LabCluster cluster =
            new LabCluster(
                lab,
                Files.createTempDirectory("first-hb"),
                daemon,
                LabCluster.Settings.defaults())) {
      for (int r = 0; r < runs; r++) {
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
          first[r] = (arrived - started) / 1e6;
        } finally {
          listener.destroyForcibly();
        }
        cluster.kill(1);
        reference[r] = bareStart(daemon);
        System.out.printf(
            Locale.ROOT,
            "run %d%s: first heartbeat %.0f ms after start; bare JVM + jar (--help) %.0f ms%n",
            r + 1,
            r == 0 ? " (empty state dir)" : "",
            first[r],
            reference[r]);
      }
    }
    java.util.Arrays.sort(first);
    java.util.Arrays.sort(reference);
    System.out.printf(
        Locale.ROOT,
        "first heartbeat: median %.0f ms, max %.0f ms over %d runs; reference (JVM + jar, --help)"
            + " median %.0f ms; ratio %.2f%n",
        LabBench.median(first),
        first[first.length - 1],
        runs,
        LabBench.median(reference),
        LabBench.median(first) / LabBench.median(reference));
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
