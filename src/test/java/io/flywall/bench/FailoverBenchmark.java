package io.flywall.bench;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.lab.Pinger;
import io.flywall.network.IprouteVipBackend;
import io.flywall.network.Vip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Failover time as a client sees it: the client pings the server through the VIPs every 10 ms and
 * the outage is the longest gap between replies by timestamp. The primary is powered off (links
 * down, kill -9, VIPs gone); each trial ends with the preferred node back in charge. Flywall (with
 * arp_ping on and off) and keepalived (VRRPv3, unicast peers) run in the same lab, in the same run,
 * at each heartbeat interval (x 3), with the medians, maxima and ratios, and for flywall the
 * takeover's step timings from the new primary's history. Run with scripts/bench-failover (root).
 */
public final class FailoverBenchmark {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  /**
   * A heartbeat interval and keepalived's advert_int for it (VRRPv3 counts in centiseconds:
   * keepalived takes 0.025 as it reads it, and logs what it used).
   */
  private record Interval(String flywall, String keepalived) {}

  private static final List<Interval> INTERVALS =
      List.of(
          new Interval("1s", "1"),
          new Interval("100ms", "0.1"),
          new Interval("30ms", "0.03"),
          new Interval("25ms", "0.025"));

  interface Pair extends AutoCloseable {
    void start(int k) throws Exception;

    void powerOff(int k) throws Exception;

    void powerOn(int k) throws Exception;

    List<Integer> holders();

    /** Whether node {@code k} has finished starting (keepalived's start is immediate). */
    default boolean started(int k) {
      return true;
    }

    /** The steps of node {@code k}'s last takeover and their durations (ms); empty if unknown. */
    default java.util.Map<String, Long> lastTakeoverSteps(int k) {
      return java.util.Map.of();
    }
  }

  /** Usage: FailoverBenchmark [TRIALS [INTERVAL...]], e.g. {@code 3 100ms 25ms}. */
  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    List<String> only = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
    LabBench.requireLab("bench-failover");
    List<String> java = LabBench.javaCommand();
    List<String[]> rows = new ArrayList<>();
    List<String> ratios = new ArrayList<>();
    for (Interval interval : INTERVALS) {
      if (!only.isEmpty() && !only.contains(interval.flywall())) {
        continue;
      }
      String hb = interval.flywall();
      double[] on =
          run("flywall " + hb + " x 3", trials, lab -> flywall(lab, java, hb, true), rows);
      double[] off =
          run(
              "flywall " + hb + " x 3, arp_ping off",
              trials,
              lab -> flywall(lab, java, hb, false),
              rows);
      double[] keep =
          run(
              "keepalived advert_int " + interval.keepalived(),
              trials,
              lab -> keepalived(lab, interval.keepalived()),
              rows);
      ratios.add(
          String.format(
              Locale.ROOT,
              "%s: arp_ping on %.2f (max %.2f), arp_ping off %.2f (max %.2f)",
              hb,
              LabBench.median(on) / LabBench.median(keep),
              on[on.length - 1] / keep[keep.length - 1],
              LabBench.median(off) / LabBench.median(keep),
              off[off.length - 1] / keep[keep.length - 1]));
    }

    System.out.println();
    System.out.println(
        "| setup | trials | median outage (ms) | max outage (ms) | takeover steps, median (ms) |");
    System.out.println("|---|---|---|---|---|");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
    System.out.println();
    System.out.println("ratio flywall/keepalived, median (max):");
    ratios.forEach(r -> System.out.println("  " + r));
  }

  interface PairFactory {
    Pair build(NetLab lab) throws Exception;
  }

  private static double[] run(String name, int trials, PairFactory factory, List<String[]> rows)
      throws Exception {
    System.out.println("== " + name);
    double[] outages = new double[trials];
    java.util.Map<String, List<Long>> steps = new java.util.LinkedHashMap<>();
    try (NetLab lab = NetLab.up(2);
        Pair pair = factory.build(lab)) {
      pair.start(1);
      pair.start(2);
      await("n1 to hold the VIPs", () -> pair.holders().equals(List.of(1)));
      // The steady state is measured: a takeover while the backup is still starting (a flywall
      // node's first seconds, its API and libraries still loading) is slower, and was trial 1.
      await("both nodes to finish starting", () -> pair.started(1) && pair.started(2));
      for (int t = 0; t < trials; t++) {
        await("the client to reach the server", () -> reaches(lab));
        try (Pinger ping = Pinger.start(lab.clientNamespace(), lab.get("SERVER_IP"), 10, 6000)) {
          await("first replies", () -> ping.received() > 30);
          pair.powerOff(1);
          await("n2 to take over", () -> pair.holders().equals(List.of(2)));
          int seen = ping.received();
          await("traffic to flow again", () -> ping.received() > seen + 100);
          outages[t] = ping.finish().longestGapMs();
        }
        java.util.Map<String, Long> took = pair.lastTakeoverSteps(2);
        took.forEach((step, ms) -> steps.computeIfAbsent(step, x -> new ArrayList<>()).add(ms));
        System.out.printf(
            Locale.ROOT, "   trial %d: outage %.0f ms; takeover %s%n", t + 1, outages[t], took);
        pair.powerOn(1);
        await("n1 to take the VIPs back", () -> pair.holders().equals(List.of(1)));
      }
    }
    double[] sorted = outages.clone();
    java.util.Arrays.sort(sorted);
    rows.add(
        new String[] {
          name,
          Integer.toString(trials),
          String.format(Locale.ROOT, "%.0f", LabBench.median(sorted)),
          String.format(Locale.ROOT, "%.0f", sorted[sorted.length - 1]),
          stepMedians(steps)
        });
    return sorted;
  }

  private static String stepMedians(java.util.Map<String, List<Long>> steps) {
    StringBuilder out = new StringBuilder();
    steps.forEach(
        (name, values) -> {
          double[] sorted = values.stream().mapToDouble(Long::doubleValue).sorted().toArray();
          out.append(out.length() == 0 ? "" : ", ")
              .append(name)
              .append(' ')
              .append(String.format(Locale.ROOT, "%.0f", LabBench.median(sorted)));
        });
    return out.length() == 0 ? "-" : out.toString();
  }

  private static void setLinks(NetLab lab, int k, String state, List<String> links) {
    StringBuilder batch = new StringBuilder();
    for (String link : links) {
      batch.append("link set ").append(lab.get(link)).append(' ').append(state).append('\n');
    }
    lab.in(lab.nodeNamespace(k))
        .run(
            List.of("sh", "-c", "printf '" + batch + "' | ip -force -batch -"),
            Duration.ofSeconds(5));
  }

  private static boolean reaches(NetLab lab) {
    return lab.in(lab.clientNamespace())
        .run(List.of("ping", "-c", "1", "-W", "1", lab.get("SERVER_IP")), Duration.ofSeconds(3))
        .ok();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    LabBench.await(what, LIMIT, condition);
  }

  private static Pair flywall(NetLab lab, List<String> java, String interval, boolean arpPing)
      throws Exception {
    Path dir = Files.createTempDirectory("bench-flywall");
    LabCluster cluster =
        new LabCluster(
            lab,
            dir,
            java,
            LabCluster.Settings.defaults()
                .withHeartbeat(interval, 3)
                .withArpPing(arpPing)
                .withFailback("auto", "1s"));
    return new Pair() {
      @Override
      public void start(int k) throws Exception {
        cluster.start(k);
      }

      @Override
      public void powerOff(int k) throws Exception {
        cluster.powerOff(k);
      }

      @Override
      public void powerOn(int k) throws Exception {
        cluster.powerOn(k);
      }

      @Override
      public List<Integer> holders() {
        return cluster.lanVipHolders();
      }

      @Override
      public boolean started(int k) {
        // The API is the last thing a node starts.
        return cluster.api(k, "/api/ha/status").isPresent();
      }

      @Override
      public java.util.Map<String, Long> lastTakeoverSteps(int k) {
        java.util.Map<String, Long> steps = new java.util.LinkedHashMap<>();
        cluster
            .api(k, "/api/ha/history?limit=20")
            .ifPresent(
                history -> {
                  for (var event : history.path("events")) {
                    if (event.path("type").asText().equals("takeover")) {
                      for (var step : event.path("steps")) {
                        steps.put(step.path("name").asText(), step.path("duration_ms").asLong());
                      }
                      steps.put("total", event.path("duration_ms").asLong());
                      return;
                    }
                  }
                });
        return steps;
      }

      @Override
      public void close() throws Exception {
        cluster.close();
      }
    };
  }

  /** keepalived in the same lab: VRRPv3, unicast adverts over the sync network, same VIPs. */
  private static Pair keepalived(NetLab lab, String advertInt) throws Exception {
    Path dir = Files.createTempDirectory("bench-keepalived");
    Process[] daemons = new Process[3];
    List<Vip> vips =
        List.of(
            new Vip(java.net.InetAddress.getByName(lab.get("LAN_VIP")), 24, lab.get("LAN_IF")),
            new Vip(java.net.InetAddress.getByName(lab.get("WAN_VIP")), 24, lab.get("WAN_IF")));
    for (int k = 1; k <= 2; k++) {
      int other = 3 - k;
      Files.writeString(
          dir.resolve("k" + k + ".conf"),
          """
          global_defs {
            router_id n%d
            vrrp_version 3
            script_user root
          }
          vrrp_instance fwt {
            state BACKUP
            interface %s
            virtual_router_id 51
            priority %d
            advert_int %s
            unicast_src_ip %s
            unicast_peer {
              %s
            }
            virtual_ipaddress {
              %s/24 dev %s
              %s/24 dev %s
            }
          }
          """
              .formatted(
                  k,
                  lab.get("SYNC_IF"),
                  k == 1 ? 150 : 100,
                  advertInt,
                  lab.get("N" + k + "_SYNC_IP"),
                  lab.get("N" + other + "_SYNC_IP"),
                  lab.get("LAN_VIP"),
                  lab.get("LAN_IF"),
                  lab.get("WAN_VIP"),
                  lab.get("WAN_IF")));
    }
    return new Pair() {
      @Override
      public void start(int k) throws Exception {
        daemons[k] =
            new ProcessBuilder(
                    "ip",
                    "netns",
                    "exec",
                    lab.nodeNamespace(k),
                    "keepalived",
                    "-n",
                    "-l",
                    "-P",
                    "-f",
                    dir.resolve("k" + k + ".conf").toString(),
                    "-p",
                    dir.resolve("k" + k + ".pid").toString(),
                    "-r",
                    dir.resolve("k" + k + ".vrrp.pid").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("k" + k + ".log").toFile())
                .start();
      }

      @Override
      public void powerOff(int k) throws Exception {
        // Sync link first, as for flywall: a powered-off node sends no goodbye. One ip process
        // drops the three links together (as LabCluster.setLinks does for flywall).
        lab.isolate(lab.nodeNamespace(k));
        setLinks(lab, k, "down", List.of("SYNC_IF", "LAN_IF", "WAN_IF"));
        kill(daemons[k]);
        for (Vip vip : vips) {
          new IprouteVipBackend(lab.in(lab.nodeNamespace(k)), Duration.ofSeconds(5)).remove(vip);
        }
      }

      @Override
      public void powerOn(int k) throws Exception {
        setLinks(lab, k, "up", List.of("LAN_IF", "WAN_IF", "SYNC_IF"));
        lab.reconnect(lab.nodeNamespace(k));
        // A powered-off machine keeps no pid files: a stale one makes keepalived exit at start.
        Files.deleteIfExists(dir.resolve("k" + k + ".pid"));
        Files.deleteIfExists(dir.resolve("k" + k + ".vrrp.pid"));
        start(k);
      }

      @Override
      public List<Integer> holders() {
        List<Integer> holders = new ArrayList<>();
        for (int k = 1; k <= 2; k++) {
          if (new IprouteVipBackend(lab.in(lab.nodeNamespace(k)), Duration.ofSeconds(5))
              .held(vips.get(0))) {
            holders.add(k);
          }
        }
        return holders;
      }

      @Override
      public void close() {
        for (Process p : daemons) {
          if (p != null) {
            try {
              kill(p);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        }
      }
    };
  }

  /**
   * keepalived and its VRRP child, gone for sure: the parent first, so that it cannot start a new
   * child after the old one dies (killing the child first let the parent respawn one, which
   * outlived the "power-off", kept the pid file and made the next start exit at once: the failback
   * then never came and the run ended without its table).
   */
  private static void kill(Process keepalived) throws InterruptedException {
    List<ProcessHandle> children =
        ProcessHandle.of(keepalived.pid()).stream().flatMap(ProcessHandle::descendants).toList();
    keepalived.destroyForcibly();
    keepalived.waitFor();
    for (ProcessHandle child : children) {
      child.destroyForcibly();
      child.onExit().join();
    }
  }
}
