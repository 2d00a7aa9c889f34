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
 * down, kill -9, VIPs gone); each trial ends with the preferred node back in charge. Flywall and
 * keepalived (VRRPv3, unicast peers) run in the same lab, in the same run. Run with
 * scripts/bench-failover (root).
 */
public final class FailoverBenchmark {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  interface Pair extends AutoCloseable {
    void start(int k) throws Exception;

    void powerOff(int k) throws Exception;

    void powerOn(int k) throws Exception;

    List<Integer> holders();
  }

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    LabBench.requireLab("bench-failover");
    List<String> java = LabBench.javaCommand();
    List<String[]> rows = new ArrayList<>();
    double[] flywall1s = run("flywall 1s x 3", trials, lab -> flywall(lab, java, "1s", true), rows);
    double[] flywall100 =
        run("flywall 100ms x 3", trials, lab -> flywall(lab, java, "100ms", true), rows);
    double[] flywall100NoProbe =
        run(
            "flywall 100ms x 3, arp_ping off",
            trials,
            lab -> flywall(lab, java, "100ms", false),
            rows);
    double[] keep1s = run("keepalived advert_int 1", trials, lab -> keepalived(lab, "1"), rows);
    double[] keep100 =
        run("keepalived advert_int 0.1", trials, lab -> keepalived(lab, "0.1"), rows);

    System.out.println();
    System.out.println("| setup | trials | median outage (ms) | max outage (ms) |");
    System.out.println("|---|---|---|---|");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
    System.out.printf(
        Locale.ROOT,
        "%nratio flywall/keepalived (median): 1 s heartbeat %.2f, 100 ms heartbeat %.2f,"
            + " 100 ms heartbeat without arp_ping %.2f%n",
        LabBench.median(flywall1s) / LabBench.median(keep1s),
        LabBench.median(flywall100) / LabBench.median(keep100),
        LabBench.median(flywall100NoProbe) / LabBench.median(keep100));
  }

  interface PairFactory {
    Pair build(NetLab lab) throws Exception;
  }

  private static double[] run(String name, int trials, PairFactory factory, List<String[]> rows)
      throws Exception {
    System.out.println("== " + name);
    double[] outages = new double[trials];
    try (NetLab lab = NetLab.up(2);
        Pair pair = factory.build(lab)) {
      pair.start(1);
      pair.start(2);
      await("n1 to hold the VIPs", () -> pair.holders().equals(List.of(1)));
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
        System.out.printf(Locale.ROOT, "   trial %d: outage %.0f ms%n", t + 1, outages[t]);
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
          String.format(Locale.ROOT, "%.0f", sorted[sorted.length - 1])
        });
    return sorted;
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
        // Sync link first, as for flywall: a powered-off node sends no goodbye.
        for (String link : List.of(lab.get("SYNC_IF"), lab.get("LAN_IF"), lab.get("WAN_IF"))) {
          lab.in(lab.nodeNamespace(k))
              .run(List.of("ip", "link", "set", link, "down"), Duration.ofSeconds(5));
        }
        ProcessHandle.of(daemons[k].pid())
            .ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
        daemons[k].destroyForcibly();
        daemons[k].waitFor();
        for (Vip vip : vips) {
          new IprouteVipBackend(lab.in(lab.nodeNamespace(k)), Duration.ofSeconds(5)).remove(vip);
        }
      }

      @Override
      public void powerOn(int k) throws Exception {
        for (String link : List.of(lab.get("LAN_IF"), lab.get("WAN_IF"), lab.get("SYNC_IF"))) {
          lab.in(lab.nodeNamespace(k))
              .run(List.of("ip", "link", "set", link, "up"), Duration.ofSeconds(5));
        }
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
            ProcessHandle.of(p.pid())
                .ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
            p.destroyForcibly();
          }
        }
      }
    };
  }
}
