package io.flywall.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Tells the LAN that this node now answers for its VIPs, so neighbours move their cache entries to
 * our MAC at once instead of after their entries expire.
 *
 * <p>IPv4: iputils {@code arping -U -c N -I IF -s VIP VIP} (unsolicited ARP requests; arping paces
 * them one per second and rejects sub-second intervals, so a call blocks about N seconds).
 *
 * <p>IPv6: no tool on a Debian box sends an unsolicited NA, and on Linux 6.x an address added with
 * {@code nodad} is announced by no NA at all (only an address that completes DAD is). What works:
 * with {@code net.ipv6.conf.IF.ndisc_notify=1}, setting the interface's MAC to its current value
 * ({@code ip link set dev IF address MAC}) raises NETDEV_CHANGEADDR, and the kernel sends an
 * unsolicited NA (override flag set) for every address on the interface. Side effect: the node's
 * own neighbour entries on that interface are flushed and re-resolved on next use.
 */
public final class GratuitousAnnouncer implements Announcer {

  private final CommandRunner runner;
  private final Iproute iproute;
  private final Duration timeout;

  public GratuitousAnnouncer(CommandRunner runner, Duration timeout) {
    this.runner = runner;
    this.iproute = new Iproute(runner, timeout);
    this.timeout = timeout;
  }

  /**
   * Announces every VIP {@code count} times. IPv6 VIPs sharing an interface share one NA round,
   * since each round announces all addresses of the interface. All VIPs are tried; failures are
   * reported together in one {@link NetworkCommandException}.
   */
  /** Each announcement runs its own arping or ndisc6 process: nothing stays open between them. */
  @Override
  public void prepare(Collection<Vip> vips) {}

  @Override
  public void announce(Collection<Vip> vips, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    List<String> failures = new ArrayList<>();
    Set<String> ipv6Interfaces = new LinkedHashSet<>();
    for (Vip vip : vips) {
      if (vip.ipv6()) {
        ipv6Interfaces.add(vip.interfaceName());
        continue;
      }
      CommandResult result =
          runner.run(arpingCommand(vip, count), Duration.ofSeconds(count + 2L).plus(timeout));
      if (!result.ok()) {
        failures.add("gratuitous ARP for " + vip + ": " + result.describe());
      }
    }
    for (String ifname : ipv6Interfaces) {
      try {
        advertise(ifname, count);
      } catch (NetworkCommandException e) {
        failures.add("unsolicited NA on " + ifname + ": " + e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new NetworkCommandException(String.join("; ", failures));
    }
  }

  private void advertise(String ifname, int count) {
    CommandResult notify = runner.run(ndiscNotifyCommand(ifname), timeout);
    if (!notify.ok()) {
      throw NetworkCommandException.of("cannot enable ndisc_notify", notify);
    }
    List<String> readdress = macResetCommand(ifname, iproute.macOf(ifname));
    for (int i = 0; i < count; i++) {
      CommandResult result = runner.run(readdress, timeout);
      if (!result.ok()) {
        throw NetworkCommandException.of("cannot trigger the NA", result);
      }
    }
  }

  static List<String> arpingCommand(Vip vip, int count) {
    return List.of(
        "arping",
        "-U",
        "-c",
        Integer.toString(count),
        "-I",
        vip.interfaceName(),
        "-s",
        vip.host(),
        vip.host());
  }

  static List<String> ndiscNotifyCommand(String ifname) {
    // The slash form keeps a dot in a VLAN interface name (eth0.100) from splitting the key.
    return List.of("sysctl", "-q", "-w", "net/ipv6/conf/" + ifname + "/ndisc_notify=1");
  }

  static List<String> macResetCommand(String ifname, MacAddress mac) {
    return List.of("ip", "link", "set", "dev", ifname, "address", mac.value());
  }
}
