package io.flywall.network.kernel;

import io.flywall.lab.NetLab;
import io.flywall.network.Announcer;
import io.flywall.network.ArpPing;
import io.flywall.network.GratuitousAnnouncer;
import io.flywall.network.IprouteVipBackend;
import io.flywall.network.NeighborProbe;
import io.flywall.network.Vip;
import io.flywall.network.VipBackend;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Takeover steps of the native plane against the iproute2/arping/ndisc6 plane, measured in the same
 * run in one lab and printed (median, max, ratio). Not part of the test suite (its name does not
 * end in Test); run it with scripts/bench-netplane.
 */
@Tag("netns")
class NetworkPlaneBench {

  private static final int ROUNDS = Integer.getInteger("bench.rounds", 20);
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Test
  void printTakeoverStepTimesNativeAgainstChildProcesses() throws Exception {
    NetLab.unavailableReason().ifPresent(reason -> Assumptions.abort("skipped: " + reason));
    try (NetLab lab = NetLab.up(2);
        Rtnetlink rtnetlink = Rtnetlink.open(NetNamespace.named(lab.get("NS_N2")))) {
      String lan = lab.get("LAN_IF");
      Vip v4 = new Vip(InetAddress.getByName(lab.get("LAN_VIP")), 24, lan);
      Vip v6 = new Vip(InetAddress.getByName(lab.get("LAN_VIP6")), 64, lan);
      List<Vip> both = List.of(v4, v6);
      var commands = lab.in(lab.get("NS_N2"));
      VipBackend iproute = new IprouteVipBackend(commands, TIMEOUT);
      VipBackend netlink = new NetlinkVipBackend(rtnetlink);
      Announcer arping = new GratuitousAnnouncer(commands, TIMEOUT);
      Announcer kernel = new KernelAnnouncer(rtnetlink);

      System.out.printf("%nnetwork plane, %d rounds each, lab %s%n", ROUNDS, lab.prefix());
      System.out.printf("%-44s %10s %10s %10s%n", "step", "median ms", "max ms", "runs");
      Row addIp =
          measure(
              () -> timed(() -> both.forEach(iproute::add)), () -> both.forEach(iproute::remove));
      Row addNl =
          measure(
              () -> timed(() -> both.forEach(netlink::add)), () -> both.forEach(netlink::remove));
      addIp.print("add_vips (IPv4+IPv6), iproute2");
      addNl.print("add_vips (IPv4+IPv6), rtnetlink");
      Row removeIp =
          measureAfter(
              () -> both.forEach(iproute::add), () -> timed(() -> both.forEach(iproute::remove)));
      Row removeNl =
          measureAfter(
              () -> both.forEach(netlink::add), () -> timed(() -> both.forEach(netlink::remove)));
      removeIp.print("remove_vips (IPv4+IPv6), iproute2");
      removeNl.print("remove_vips (IPv4+IPv6), rtnetlink");

      both.forEach(netlink::add);
      Row garpArping = measure(() -> timed(() -> arping.announce(List.of(v4), 1)), () -> {});
      Row garpKernel = measure(() -> timed(() -> kernel.announce(List.of(v4), 1)), () -> {});
      Row naTrick = measure(() -> timed(() -> arping.announce(List.of(v6), 1)), () -> {});
      Row naKernel = measure(() -> timed(() -> kernel.announce(List.of(v6), 1)), () -> {});
      garpArping.print("gratuitous ARP x1, arping -U");
      garpKernel.print("gratuitous ARP x1, AF_PACKET");
      naTrick.print("unsolicited NA x1, sysctl + MAC re-set");
      naKernel.print("unsolicited NA x1, raw ICMPv6");
      both.forEach(netlink::remove);

      // arp_ping from N2 while N1 holds the VIPs (answered) and after it let go (silent).
      VipBackend n1 = new NetlinkVipBackend(Rtnetlink.open(NetNamespace.named(lab.get("NS_N1"))));
      ArpPing tools = new NeighborProbe(commands, Clock.systemUTC());
      NetworkPlane.Settings settings = NetworkPlane.Settings.forHeartbeat(Duration.ofMillis(100));
      ArpPing lanProbe =
          new LanProbe(
              rtnetlink, Clock.systemUTC(), settings.probeInterval(), settings.probeWindow());
      int probeRounds = Math.max(3, ROUNDS / 4);
      both.forEach(n1::add);
      Row answeredTools = measure(probeRounds, () -> timed(() -> tools.probeAll(both)), () -> {});
      Row answeredKernel =
          measure(probeRounds, () -> timed(() -> lanProbe.probeAll(both)), () -> {});
      both.forEach(n1::remove);
      Row silentTools = measure(probeRounds, () -> timed(() -> tools.probeAll(both)), () -> {});
      Row silentKernel = measure(probeRounds, () -> timed(() -> lanProbe.probeAll(both)), () -> {});
      answeredTools.print("arp_ping, holder answers, arping+ndisc6");
      answeredKernel.print("arp_ping, holder answers, raw sockets");
      silentTools.print("arp_ping, nobody answers, arping+ndisc6");
      silentKernel.print(
          "arp_ping, nobody answers, raw sockets ("
              + settings.probeWindow().toMillis()
              + " ms window)");

      System.out.printf("%nratios (native / child process, median):%n");
      ratio("add_vips", addNl, addIp);
      ratio("remove_vips", removeNl, removeIp);
      ratio("gratuitous ARP", garpKernel, garpArping);
      ratio("unsolicited NA", naKernel, naTrick);
      ratio("arp_ping answered", answeredKernel, answeredTools);
      ratio("arp_ping silent", silentKernel, silentTools);
    }
  }

  private record Row(List<Double> millis) {
    double median() {
      List<Double> sorted = new ArrayList<>(millis);
      Collections.sort(sorted);
      return sorted.get(sorted.size() / 2);
    }

    double max() {
      return Collections.max(millis);
    }

    void print(String step) {
      System.out.printf("%-44s %10.3f %10.3f %10d%n", step, median(), max(), millis.size());
    }
  }

  private static void ratio(String step, Row nativeRow, Row reference) {
    System.out.printf(
        "  %-20s %.3f ms / %.3f ms = %.4f%n",
        step, nativeRow.median(), reference.median(), nativeRow.median() / reference.median());
  }

  private static Row measure(LongSupplier timedNanos, Runnable after) {
    return measure(ROUNDS, timedNanos, after);
  }

  /** One warm-up round, then {@code rounds} timed ones. */
  private static Row measure(int rounds, LongSupplier timedNanos, Runnable after) {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i <= rounds; i++) {
      long nanos = timedNanos.getAsLong();
      after.run();
      if (i > 0) {
        millis.add(nanos / 1e6);
      }
    }
    return new Row(millis);
  }

  private static Row measureAfter(Runnable before, LongSupplier timedNanos) {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i <= ROUNDS; i++) {
      before.run();
      long nanos = timedNanos.getAsLong();
      if (i > 0) {
        millis.add(nanos / 1e6);
      }
    }
    return new Row(millis);
  }

  private static long timed(Runnable step) {
    long start = System.nanoTime();
    step.run();
    return System.nanoTime() - start;
  }
}
