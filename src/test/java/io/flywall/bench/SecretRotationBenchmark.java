package io.flywall.bench;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.lab.Pinger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * What rotating the cluster's secret_key costs the clients today (nodes accept one key only), as
 * the runbook describes it, measured from the client's side like the failover benchmark: the client
 * pings the server through the VIPs every 10 ms; the outage is the longest gap between replies.
 * Procedures, each on a two-node lab with arp_ping on (the default):
 *
 * <ul>
 *   <li>rolling: the backup restarts with the new secret (it cannot hear the primary, finds the
 *       VIPs answered and does not take over), then the primary restarts with it;
 *   <li>all at once: both nodes restart with the new secret at the same time;
 *   <li>reference, in the same lab and run: a planned failover ({@code flywall ha failover}).
 * </ul>
 *
 * Run with scripts/bench-secret-rotation (root).
 */
public final class SecretRotationBenchmark {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    LabBench.requireLab("bench-secret-rotation");
    List<String> java = LabBench.javaCommand();
    Cost[] planned = new Cost[trials];
    Cost[] rolling = new Cost[trials];
    Cost[] allAtOnce = new Cost[trials];
    for (int t = 0; t < trials; t++) {
      try (NetLab lab = NetLab.up(2);
          LabCluster cluster =
              new LabCluster(
                  lab,
                  Files.createTempDirectory("bench-secret"),
                  java,
                  LabCluster.Settings.defaults().withFailback("auto", "5s"))) {
        cluster.startAll();
        await("n1 to hold the VIPs", () -> cluster.lanVipHolders().equals(List.of(1)));
        await("both nodes to see each other", () -> whole(cluster));

        planned[t] = outage(lab, cluster, () -> plannedFailover(cluster));
        await("n1 to take the VIPs back", () -> cluster.lanVipHolders().equals(List.of(1)));
        await("both nodes to see each other", () -> whole(cluster));

        rolling[t] = outage(lab, cluster, () -> rolling(cluster, "rotated-once-0123456789abcdef"));
        allAtOnce[t] =
            outage(lab, cluster, () -> allAtOnce(cluster, "rotated-twice-0123456789abcdef"));
      }
      System.out.printf(
          Locale.ROOT,
          "   trial %d: planned failover %s; rolling %s; all at once %s%n",
          t + 1,
          describe(planned[t]),
          describe(rolling[t]),
          describe(allAtOnce[t]));
    }
    System.out.println();
    System.out.println(
        "| procedure | trials | client gap median / max (ms) | no VIP holder median / max (ms)"
            + " | two holders |");
    System.out.println("|---|---|---|---|---|");
    row("planned failover (reference)", planned);
    row("secret rotation, rolling (backup, then primary)", rolling);
    row("secret rotation, both nodes at once", allAtOnce);
    // A planned failover leaves no measurable time without a holder: its client gap is the
    // reference; the two rotations are compared with each other by their time without a holder.
    System.out.printf(
        Locale.ROOT,
        "%nratio to a planned failover (median client gap): rolling %.1f, all at once %.1f;"
            + " time without a VIP holder, rolling / all at once: %.2f%n",
        LabBench.median(gaps(rolling)) / LabBench.median(gaps(planned)),
        LabBench.median(gaps(allAtOnce)) / LabBench.median(gaps(planned)),
        LabBench.median(noHolder(rolling)) / LabBench.median(noHolder(allAtOnce)));
  }

  interface Procedure {
    void run() throws Exception;
  }

  /**
   * What one procedure cost: the client's longest gap between ping replies; the longest time no
   * node held the LAN VIP (a client that must resolve the gateway then gets no answer, even while
   * the old primary's kernel still forwards for clients that know its MAC); whether two nodes held
   * it at once.
   */
  record Cost(double clientGapMs, double noHolderMs, boolean twoHolders) {}

  /** Runs {@code procedure} and waits until the cluster is whole again, measuring its cost. */
  private static Cost outage(NetLab lab, LabCluster cluster, Procedure procedure) throws Exception {
    await("the client to reach the server", cluster::clientReachesServer);
    HolderWatch watch = new HolderWatch(cluster);
    Thread watcher = new Thread(watch, "vip-holders");
    try (Pinger ping = Pinger.start(lab.clientNamespace(), lab.get("SERVER_IP"), 10, 9000)) {
      await("first replies", () -> ping.received() > 30);
      watcher.start();
      procedure.run();
      await("one VIP holder", () -> cluster.lanVipHolders().size() == 1);
      await("both nodes to see each other", () -> whole(cluster));
      await("no alarm left on either node", () -> noAlarms(cluster));
      int seen = ping.received();
      await("traffic to flow", () -> ping.received() > seen + 100);
      double gap = ping.finish().longestGapMs();
      watch.stop();
      watcher.join();
      return new Cost(gap, watch.longestWithoutHolderMs, watch.twoHolders);
    }
  }

  /** Polls who holds the LAN VIP, as fast as ip allows (a few ms per poll). */
  private static final class HolderWatch implements Runnable {
    private final LabCluster cluster;
    private volatile boolean stopped;
    private volatile double longestWithoutHolderMs;
    private volatile boolean twoHolders;

    HolderWatch(LabCluster cluster) {
      this.cluster = cluster;
    }

    void stop() {
      stopped = true;
    }

    @Override
    public void run() {
      long lastHeld = System.nanoTime();
      // Bounded: the procedure's own waits end within minutes; this ends with them.
      for (int polls = 0; !stopped && polls < 200_000; polls++) {
        int holders = cluster.lanVipHolders().size();
        long now = System.nanoTime();
        if (holders > 1) {
          twoHolders = true;
        }
        if (holders == 0) {
          longestWithoutHolderMs = Math.max(longestWithoutHolderMs, (now - lastHeld) / 1e6);
        } else {
          lastHeld = now;
        }
      }
    }
  }

  private static void plannedFailover(LabCluster cluster) {
    var result = cluster.cli(1, "ha", "failover");
    if (!result.ok()) {
      throw new IllegalStateException(result.describe());
    }
  }

  /** The runbook's procedure: backup first (stays backup), then the primary. */
  private static void rolling(LabCluster cluster, String secret) throws Exception {
    int primary = cluster.lanVipHolders().get(0);
    int backup = 3 - primary;
    rewriteSecret(cluster, backup, secret);
    cluster.stop(backup);
    cluster.start(backup);
    // As the runbook says: the backup cannot hear the primary, finds the VIPs answered and
    // raises split_brain_risk instead of taking over.
    await(
        "split_brain_risk on the restarted backup",
        () ->
            cluster
                .api(backup, "/api/ha/status")
                .map(
                    st ->
                        st.path("role").asText().equals("backup")
                            && st.path("alarms").toString().contains("split_brain_risk"))
                .orElse(false));
    rewriteSecret(cluster, primary, secret);
    cluster.stop(primary);
    cluster.start(primary);
  }

  private static void allAtOnce(LabCluster cluster, String secret) throws Exception {
    for (int k = 1; k <= 2; k++) {
      rewriteSecret(cluster, k, secret);
    }
    cluster.stop(1);
    cluster.stop(2);
    cluster.start(1);
    cluster.start(2);
  }

  private static void rewriteSecret(LabCluster cluster, int k, String secret) throws Exception {
    Path config = cluster.config(k);
    String text = Files.readString(config);
    Files.writeString(
        config, text.replaceFirst("secret_key = \"[^\"]*\"", "secret_key = \"" + secret + "\""));
  }

  private static boolean noAlarms(LabCluster cluster) {
    for (int k = 1; k <= 2; k++) {
      boolean clear =
          cluster.api(k, "/api/ha/status").map(st -> st.path("alarms").isEmpty()).orElse(false);
      if (!clear) {
        return false;
      }
    }
    return true;
  }

  /** Both daemons answer and each sees the other alive. */
  private static boolean whole(LabCluster cluster) {
    for (int k = 1; k <= 2; k++) {
      boolean seesPeer =
          cluster
              .api(k, "/api/ha/cluster")
              .map(
                  c -> {
                    int alive = 0;
                    for (var node : c.path("nodes")) {
                      alive += node.path("alive").asBoolean() ? 1 : 0;
                    }
                    return alive == 2;
                  })
              .orElse(false);
      if (!seesPeer) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Cost cost) {
    return String.format(
        Locale.ROOT,
        "client gap %.0f ms, no holder %.0f ms%s",
        cost.clientGapMs(),
        cost.noHolderMs(),
        cost.twoHolders() ? ", TWO HOLDERS" : "");
  }

  private static double[] noHolder(Cost[] costs) {
    double[] values = Arrays.stream(costs).mapToDouble(Cost::noHolderMs).toArray();
    Arrays.sort(values);
    return values;
  }

  private static double[] gaps(Cost[] costs) {
    double[] values = Arrays.stream(costs).mapToDouble(Cost::clientGapMs).toArray();
    Arrays.sort(values);
    return values;
  }

  private static void row(String name, Cost[] costs) {
    double[] gaps = gaps(costs);
    double[] holderless = noHolder(costs);
    System.out.printf(
        Locale.ROOT,
        "| %s | %d | %.0f / %.0f | %.0f / %.0f | %s |%n",
        name,
        costs.length,
        LabBench.median(gaps),
        gaps[gaps.length - 1],
        LabBench.median(holderless),
        holderless[holderless.length - 1],
        Arrays.stream(costs).anyMatch(Cost::twoHolders) ? "yes" : "never");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    LabBench.await(what, LIMIT, condition);
  }

  private SecretRotationBenchmark() {}
}
