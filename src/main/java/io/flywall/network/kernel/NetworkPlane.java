package io.flywall.network.kernel;

import io.flywall.network.Announcer;
import io.flywall.network.ArpPing;
import io.flywall.network.LinkObserver;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.VipBackend;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The network plane a node uses: native (rtnetlink and raw sockets) where it can start, the
 * iproute2/arping/ndisc6 fallback where it cannot, with the alarm {@code
 * native_network_unavailable} naming what failed and what that costs. Each piece is chosen on its
 * own: without CAP_NET_RAW, VIPs and link events stay native while announcements and arp_ping fall
 * back.
 *
 * @param nativePieces how many of the four pieces (VIPs, announcements, arp_ping, links) are native
 */
public record NetworkPlane(
    VipBackend vips,
    Announcer announcer,
    ArpPing arpPing,
    LinkObserver links,
    NetworkAlarms alarms,
    int nativePieces,
    List<AutoCloseable> resources)
    implements AutoCloseable {

  /** The child-process implementations used where the native one cannot start. */
  public record Fallback(
      VipBackend vips, Announcer announcer, ArpPing arpPing, LinkObserver links) {}

  /** Timings of the native plane. */
  public record Settings(Duration probeInterval, Duration probeWindow, Duration linkResync) {

    /**
     * arp_ping adds at most max(50 ms, one heartbeat interval) to a takeover (DESIGN 10.2), capped
     * at 200 ms: on a LAN an ARP or NA answer takes well under a millisecond, and four requests go
     * out in the window, so three may be lost.
     */
    public static Settings forHeartbeat(Duration heartbeatInterval) {
      Duration window =
          heartbeatInterval.compareTo(Duration.ofMillis(200)) > 0
              ? Duration.ofMillis(200)
              : heartbeatInterval.compareTo(Duration.ofMillis(50)) < 0
                  ? Duration.ofMillis(50)
                  : heartbeatInterval;
      return new Settings(window.dividedBy(4), window, Duration.ofSeconds(5));
    }
  }

  public boolean fullyNative() {
    return nativePieces == 4;
  }

  /** Opens the native plane in {@code namespace}, falling back piece by piece. */
  public static NetworkPlane open(
      NetNamespace namespace,
      Fallback fallback,
      Clock clock,
      Settings settings,
      NetworkAlarms alarms) {
    return open(namespace, fallback, clock, settings, alarms, Libc::load);
  }

  static NetworkPlane open(
      NetNamespace namespace,
      Fallback fallback,
      Clock clock,
      Settings settings,
      NetworkAlarms alarms,
      java.util.function.Supplier<Libc> library) {
    List<String> problems = new ArrayList<>();
    List<AutoCloseable> resources = new ArrayList<>();
    Rtnetlink rtnetlink = null;
    try {
      rtnetlink = Rtnetlink.open(library.get(), namespace);
      resources.add(rtnetlink);
    } catch (KernelException | LinkageError e) {
      problems.add("rtnetlink cannot be used (" + e.getMessage() + ")");
    }
    if (rtnetlink == null) {
      alarms.raise(
          NetworkAlarms.NATIVE_NETWORK_UNAVAILABLE,
          String.join("; ", problems)
              + ": VIPs, announcements, arp_ping and link monitoring run ip, arping and ndisc6"
              + " child processes instead (takeover slower by tens of ms, arp_ping about 1 s,"
              + " links polled)");
      return new NetworkPlane(
          fallback.vips(),
          fallback.announcer(),
          fallback.arpPing(),
          fallback.links(),
          alarms,
          0,
          resources);
    }
    WithFallback guard = new WithFallback(alarms);
    int pieces = 1;
    VipBackend vips = guard.vips(new NetlinkVipBackend(rtnetlink), fallback.vips());
    Announcer announcer = fallback.announcer();
    ArpPing arpPing = fallback.arpPing();
    String raw = rawSocketProblem(rtnetlink);
    if (raw == null) {
      KernelAnnouncer kernelAnnouncer = new KernelAnnouncer(rtnetlink);
      resources.add(kernelAnnouncer);
      announcer = guard.announcer(kernelAnnouncer, fallback.announcer());
      LanProbe probe =
          new LanProbe(rtnetlink, clock, settings.probeInterval(), settings.probeWindow());
      resources.add(probe);
      arpPing = guard.arpPing(probe, fallback.arpPing());
      pieces += 2;
    } else {
      problems.add(
          raw
              + ": gratuitous ARP, unsolicited NA and arp_ping run arping/ndisc6/ip instead"
              + " (arp_ping about 1 s, the IPv6 announcement re-sets the interface's MAC)");
    }
    LinkObserver links = fallback.links();
    try {
      LinkEvents events = LinkEvents.start(rtnetlink, settings.linkResync(), alarms);
      resources.add(events);
      links = events;
      pieces++;
    } catch (KernelException e) {
      problems.add(
          "link events cannot be subscribed (" + e.getMessage() + "): links are polled with ip");
    }
    if (!problems.isEmpty()) {
      alarms.raise(NetworkAlarms.NATIVE_NETWORK_UNAVAILABLE, String.join("; ", problems));
    }
    return new NetworkPlane(vips, announcer, arpPing, links, alarms, pieces, resources);
  }

  /** Why raw sockets cannot be opened (typically no CAP_NET_RAW), or null when they can. */
  private static String rawSocketProblem(Rtnetlink rtnetlink) {
    Libc libc = rtnetlink.libc();
    try {
      rtnetlink
          .namespace()
          .inside(
              libc,
              () -> {
                KernelSocket.open(libc, Libc.AF_PACKET, Libc.SOCK_DGRAM, 0, "packet socket")
                    .close();
                KernelSocket.open(
                        libc, Libc.AF_INET6, Libc.SOCK_RAW, Libc.IPPROTO_ICMPV6, "ICMPv6 socket")
                    .close();
                return null;
              });
      return null;
    } catch (KernelException e) {
      return "raw sockets cannot be opened (" + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // Closing at shutdown: nothing left to do with a close that failed.
      }
    }
  }
}
