package io.flywall.network.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.lab.NetLab;
import io.flywall.network.Announcer;
import io.flywall.network.ArpPing;
import io.flywall.network.LinkObserver;
import io.flywall.network.LinkState;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.ProbeAnswer;
import io.flywall.network.Vip;
import io.flywall.network.VipBackend;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Choosing the plane and falling back, with real sockets in a lab namespace and faults injected
 * into libc: no CAP_NET_RAW, no JNA, a netlink or packet socket that breaks mid-run. Each ends in a
 * clear alarm and a node that keeps working.
 */
@Tag("netns")
class NetworkPlaneLabTest {

  private static NetLab lab;

  @BeforeAll
  static void buildLab() throws Exception {
    NetLab.unavailableReason().ifPresent(reason -> Assumptions.abort("skipped: " + reason));
    lab = NetLab.up(2);
  }

  @AfterAll
  static void removeLab() {
    if (lab != null) {
      lab.close();
    }
  }

  /** The fallback, recording what it was asked to do. */
  private static final class Recorded implements VipBackend, Announcer, ArpPing, LinkObserver {
    final List<String> calls = new ArrayList<>();

    @Override
    public synchronized void add(Vip vip) {
      calls.add("add " + vip.cidr());
    }

    @Override
    public synchronized void remove(Vip vip) {
      calls.add("remove " + vip.cidr());
    }

    @Override
    public synchronized boolean held(Vip vip) {
      calls.add("held " + vip.cidr());
      return false;
    }

    @Override
    public synchronized void announce(Collection<Vip> vips, int count) {
      calls.add("announce " + vips.size());
    }

    @Override
    public synchronized void prepare(Collection<Vip> vips) {
      calls.add("prepare " + vips.size());
    }

    @Override
    public synchronized List<ProbeAnswer> probeAll(Collection<Vip> vips) {
      calls.add("probe " + vips.size());
      return vips.stream().map(v -> new ProbeAnswer(v, List.of(), Duration.ZERO)).toList();
    }

    @Override
    public synchronized List<LinkState> observe(Collection<String> names) {
      calls.add("observe " + names);
      return names.stream().map(LinkState::up).toList();
    }

    NetworkPlane.Fallback fallback() {
      return new NetworkPlane.Fallback(this, this, this, this);
    }
  }

  private static final NetworkPlane.Settings SETTINGS =
      new NetworkPlane.Settings(
          Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofSeconds(5));

  private static NetNamespace n1() {
    return NetNamespace.named(lab.get("NS_N1"));
  }

  private static Vip lanVip() throws Exception {
    return new Vip(InetAddress.getByName(lab.get("LAN_VIP")), 24, lab.get("LAN_IF"));
  }

  @Test
  void withoutCapNetRawAnnouncementsAndArpPingFallBackWithAnAlarmWhileVipsAndLinksStayNative()
      throws Exception {
    FaultyLibc faulty = new FaultyLibc();
    faulty.failWhen(
        (name, args) ->
            name.equals("socket")
                    && ((int) args[0] == Libc.AF_PACKET
                        || (int) args[1] == Libc.SOCK_RAW && (int) args[0] == Libc.AF_INET6)
                ? Libc.EPERM
                : 0);
    Recorded fallback = new Recorded();
    NetworkAlarms alarms = new NetworkAlarms();

    try (NetworkPlane plane =
        NetworkPlane.open(
            n1(), fallback.fallback(), Clock.systemUTC(), SETTINGS, alarms, faulty::libc)) {
      plane.announcer().announce(List.of(lanVip()), 1);
      plane.arpPing().probeAll(List.of(lanVip()));
      plane.vips().add(lanVip());

      assertThat(plane.nativePieces()).isEqualTo(2);
      assertThat(alarms.raised().get(NetworkAlarms.NATIVE_NETWORK_UNAVAILABLE))
          .contains("raw sockets cannot be opened")
          .contains("EPERM")
          .contains("CAP_NET_RAW")
          .contains("arp_ping run arping/ndisc6/ip instead");
      assertThat(fallback.calls).containsExactly("announce 1", "probe 1");
      assertThat(plane.vips().held(lanVip())).as("added natively").isTrue();
      plane.vips().remove(lanVip());
    }
  }

  @Test
  void whenJnaCannotLoadEveryPieceFallsBackWithAnAlarmThatSaysWhatItCosts() throws Exception {
    Recorded fallback = new Recorded();
    NetworkAlarms alarms = new NetworkAlarms();

    try (NetworkPlane plane =
        NetworkPlane.open(
            n1(),
            fallback.fallback(),
            Clock.systemUTC(),
            SETTINGS,
            alarms,
            () -> {
              throw new UnsatisfiedLinkError("no jnidispatch for this platform");
            })) {
      plane.vips().add(lanVip());

      assertThat(plane.nativePieces()).isZero();
      assertThat(fallback.calls).containsExactly("add 10.99.1.1/24");
      assertThat(alarms.raised().get(NetworkAlarms.NATIVE_NETWORK_UNAVAILABLE))
          .contains("no jnidispatch")
          .contains("child processes instead");
    }
  }

  @Test
  void aNetlinkSocketThatBreaksMidRunIsCoveredByTheFallbackUntilANewSocketWorks() throws Exception {
    FaultyLibc faulty = new FaultyLibc();
    Recorded fallback = new Recorded();
    NetworkAlarms alarms = new NetworkAlarms();
    try (NetworkPlane plane =
        NetworkPlane.open(
            n1(), fallback.fallback(), Clock.systemUTC(), SETTINGS, alarms, faulty::libc)) {
      assertThat(plane.fullyNative()).isTrue();
      assertThat(alarms.raised()).isEmpty();

      faulty.failWhen((name, args) -> name.equals("sendto") ? Libc.EBADF : 0);
      plane.vips().add(lanVip());

      assertThat(fallback.calls).containsExactly("add 10.99.1.1/24");
      assertThat(alarms.raised().get(NetworkAlarms.NATIVE_NETWORK_FAULT))
          .contains("adding 10.99.1.1/24")
          .contains("EBADF")
          .contains("done with ip/arping/ndisc6 instead");

      faulty.heal();
      plane.vips().add(lanVip());

      assertThat(plane.vips().held(lanVip())).isTrue();
      assertThat(alarms.raised()).doesNotContainKey(NetworkAlarms.NATIVE_NETWORK_FAULT);
      assertThat(fallback.calls).hasSize(1);
      plane.vips().remove(lanVip());
    }
  }

  @Test
  void aPacketSocketThatCannotBeOpenedMidRunSendsTheAnnouncementThroughTheFallback()
      throws Exception {
    FaultyLibc faulty = new FaultyLibc();
    Recorded fallback = new Recorded();
    NetworkAlarms alarms = new NetworkAlarms();
    try (NetworkPlane plane =
        NetworkPlane.open(
            n1(), fallback.fallback(), Clock.systemUTC(), SETTINGS, alarms, faulty::libc)) {
      faulty.failWhen(
          (name, args) ->
              name.equals("socket") && (int) args[0] == Libc.AF_PACKET ? Libc.EPERM : 0);

      plane.announcer().announce(List.of(lanVip()), 3);

      assertThat(fallback.calls).containsExactly("announce 1");
      assertThat(alarms.raised().get(NetworkAlarms.NATIVE_NETWORK_FAULT))
          .contains("cannot open the ARP socket on fwt-lan: EPERM");
    }
  }

  @Test
  void aPlanePreparedForATakeoverHasItsProbeAndAnnouncementSocketsOpenAndTheTakeoverOpensNoMore()
      throws Exception {
    FaultyLibc faulty = new FaultyLibc();
    java.util.concurrent.atomic.AtomicInteger packetSockets =
        new java.util.concurrent.atomic.AtomicInteger();
    faulty.failWhen(
        (name, args) -> {
          if (name.equals("socket") && (int) args[0] == Libc.AF_PACKET) {
            packetSockets.incrementAndGet();
          }
          return 0;
        });
    Recorded fallback = new Recorded();
    try (NetworkPlane plane =
        NetworkPlane.open(
            n1(),
            fallback.fallback(),
            Clock.systemUTC(),
            SETTINGS,
            new NetworkAlarms(),
            faulty::libc)) {
      int atOpen = packetSockets.get();

      plane.arpPing().prepare(List.of(lanVip()));
      plane.announcer().prepare(List.of(lanVip()));

      int prepared = packetSockets.get();
      assertThat(prepared - atOpen)
          .as("the probe's and the announcer's packet sockets")
          .isEqualTo(2);
      plane.arpPing().start(List.of(lanVip()));
      plane.announcer().announce(List.of(lanVip()), 1);
      plane.arpPing().stop();
      assertThat(packetSockets.get()).as("sockets opened by the takeover").isEqualTo(prepared);
      assertThat(fallback.calls).isEmpty();
    }
  }
}
