package io.flywall.network;

import static io.flywall.network.Samples.ip;
import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.lab.NetLab;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real thing, in a lab of namespaces built by scripts/netlab (root only; skipped otherwise).
 */
@Tag("netns")
class NetnsLabTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static NetLab lab;

  private Vip lanVip;
  private Vip lanVip6;

  @BeforeAll
  static void buildLab() {
    NetLab.unavailableReason()
        .ifPresent(reason -> org.junit.jupiter.api.Assumptions.abort("skipped: " + reason));
    try {
      lab = NetLab.up(2);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void removeLab() {
    if (lab != null) {
      lab.close();
      assertThat(lab.namespacesLeft())
          .as("namespaces of lab " + lab.prefix() + " left behind")
          .isEmpty();
    }
  }

  private void vips() {
    lanVip = vip(lab.get("LAN_VIP") + "/24", lab.get("LAN_IF"));
    lanVip6 = vip(lab.get("LAN_VIP6") + "/64", lab.get("LAN_IF"));
  }

  private VipBackend backendOn(String node) {
    return new IprouteVipBackend(lab.in(lab.get(node)), TIMEOUT);
  }

  @AfterEach
  void releaseEverywhere() {
    vips();
    for (String node : List.of("NS_N1", "NS_N2")) {
      backendOn(node).remove(lanVip);
      backendOn(node).remove(lanVip6);
    }
  }

  @Test
  void theBackendAddsIpv4AndIpv6VipsIdempotentlyAndRemovesThem() {
    vips();
    VipBackend n1 = backendOn("NS_N1");

    n1.add(lanVip);
    n1.add(lanVip6);
    n1.add(lanVip);
    n1.add(lanVip6);

    assertThat(n1.held(lanVip)).isTrue();
    assertThat(n1.held(lanVip6)).isTrue();
    assertThat(backendOn("NS_N2").held(lanVip)).isFalse();
    assertThat(
            new ProcessCommandRunner()
                .inNamespace(lab.get("NS_CLIENT"))
                .run(List.of("ping", "-n", "-c", "1", "-W", "1", lab.get("LAN_VIP6")), TIMEOUT)
                .ok())
        .as("the IPv6 VIP answers at once (nodad)")
        .isTrue();

    n1.remove(lanVip);
    n1.remove(lanVip6);
    n1.remove(lanVip);

    assertThat(n1.held(lanVip)).isFalse();
    assertThat(n1.held(lanVip6)).isFalse();
  }

  @Test
  void afterAGratuitousArpFromN2TheClientsArpEntryForTheVipMovesFromN1ToN2() {
    vips();
    MacAddress n1 = MacAddress.of(lab.get("N1_LAN_MAC"));
    MacAddress n2 = MacAddress.of(lab.get("N2_LAN_MAC"));
    holdAndTeachClient("NS_N1", lanVip);
    assertThat(clientNeighbour(lab.get("LAN_VIP"))).contains(n1);

    backendOn("NS_N1").remove(lanVip);
    backendOn("NS_N2").add(lanVip);
    assertThat(clientNeighbour(lab.get("LAN_VIP")))
        .as("adding alone announces nothing")
        .contains(n1);
    new GratuitousAnnouncer(lab.in(lab.get("NS_N2")), TIMEOUT).announce(List.of(lanVip), 1);

    await()
        .atMost(TIMEOUT)
        .until(() -> clientNeighbour(lab.get("LAN_VIP")), mac -> mac.equals(Optional.of(n2)));
  }

  @Test
  void afterAnUnsolicitedNaFromN2TheClientsNeighbourEntryForTheIpv6VipMovesFromN1ToN2() {
    vips();
    MacAddress n1 = MacAddress.of(lab.get("N1_LAN_MAC"));
    MacAddress n2 = MacAddress.of(lab.get("N2_LAN_MAC"));
    holdAndTeachClient("NS_N1", lanVip6);
    assertThat(clientNeighbour(lab.get("LAN_VIP6"))).contains(n1);

    backendOn("NS_N1").remove(lanVip6);
    backendOn("NS_N2").add(lanVip6);
    assertThat(clientNeighbour(lab.get("LAN_VIP6")))
        .as("adding with nodad alone announces nothing")
        .contains(n1);
    new GratuitousAnnouncer(lab.in(lab.get("NS_N2")), TIMEOUT).announce(List.of(lanVip6), 1);

    await()
        .atMost(TIMEOUT)
        .until(() -> clientNeighbour(lab.get("LAN_VIP6")), mac -> mac.equals(Optional.of(n2)));
  }

  @Test
  void theProbeFromN2SeesN1sMacWhileN1HoldsTheVipAndNothingOnceReleased() {
    vips();
    MacAddress n1 = MacAddress.of(lab.get("N1_LAN_MAC"));
    NeighborProbe probe = new NeighborProbe(lab.in(lab.get("NS_N2")), Clock.systemUTC());
    backendOn("NS_N1").add(lanVip);
    backendOn("NS_N1").add(lanVip6);

    List<ProbeAnswer> held = probe.probeAll(List.of(lanVip, lanVip6));

    assertThat(held).allSatisfy(answer -> assertThat(answer.answeredBy()).contains(n1));

    backendOn("NS_N1").remove(lanVip);
    backendOn("NS_N1").remove(lanVip6);
    ProbeAnswer free4 = probe.probe(lanVip);
    ProbeAnswer free6 = probe.probe(lanVip6);

    assertThat(free4.answeredBy()).isEmpty();
    assertThat(free6.answeredBy()).isEmpty();
    assertThat(List.of(free4.took(), free6.took()))
        // Silence ends the probe at its deadline, not never (times are printed, not asserted).
        .allSatisfy(took -> assertThat(took).isLessThan(Duration.ofSeconds(10)));
    System.out.printf(
        "probe times: IPv4 answered %d ms, IPv6 answered %d ms, IPv4 silent %d ms, IPv6 silent %d ms%n",
        held.get(0).took().toMillis(),
        held.get(1).took().toMillis(),
        free4.took().toMillis(),
        free6.took().toMillis());
  }

  @Test
  void theLinkMonitorSeesALinkSetDownAndAPeerWithoutCarrier() {
    LinkMonitor monitor = new LinkMonitor(lab.in(lab.get("NS_N1")), TIMEOUT);
    String sync = lab.get("SYNC_IF");
    String wan = lab.get("WAN_IF");
    assertThat(monitor.observe(List.of(sync, wan)))
        .allSatisfy(state -> assertThat(state.up()).isTrue());

    lab.run(lab.get("NS_N1"), "ip", "link", "set", sync, "down");
    lab.run(lab.get("NS_BRIDGE"), "ip", "link", "set", "fwt-n1-wan", "down");
    try {
      assertThat(monitor.observe(List.of(sync, wan, "fwt-nope")))
          .containsExactly(
              LinkState.down(sync, "administratively down"),
              LinkState.down(wan, "no carrier"),
              LinkState.down("fwt-nope", "missing"));
    } finally {
      lab.run(lab.get("NS_N1"), "ip", "link", "set", sync, "up");
      lab.run(lab.get("NS_BRIDGE"), "ip", "link", "set", "fwt-n1-wan", "up");
    }
    await()
        .atMost(TIMEOUT)
        .until(() -> monitor.observe(List.of(sync, wan)).stream().allMatch(LinkState::up));
  }

  @Test
  void theGatewayMonitorSeesANodeAnswerAndAnUnusedAddressStaySilent() {
    GatewayMonitor monitor = new GatewayMonitor(lab.in(lab.get("NS_CLIENT")));

    Health health =
        Health.judge(
            List.of(), monitor.probeAll(List.of(ip(lab.get("N1_LAN_IP")), ip("10.99.1.99"))));

    assertThat(health.healthy()).isTrue();
    assertThat(health.gateways()).extracting(GatewayState::answered).containsExactly(true, false);
    assertThat(Health.judge(List.of(), monitor.probeAll(List.of(ip("10.99.1.99")))).cause())
        .isEqualTo("no gateway answers (10.99.1.99)");
  }

  /**
   * Puts the VIP on {@code node} and makes the client resolve it, so the client has an entry to
   * move.
   */
  private void holdAndTeachClient(String node, Vip vip) {
    backendOn(node).add(vip);
    CommandResult ping =
        lab.in(lab.get("NS_CLIENT"))
            .run(List.of("ping", "-n", "-c", "1", "-W", "1", vip.host()), TIMEOUT);
    assertThat(ping.ok()).as(ping.describe()).isTrue();
  }

  private static Optional<MacAddress> clientNeighbour(String address) {
    return lab.neighbour(lab.clientNamespace(), lab.get("CLIENT_IF"), address);
  }

  @Test
  void anIsolatedNodeAnswersNeitherPingsNorArpAndSendsNothingUntilItIsReconnected() {
    String n1 = lab.get("NS_N1");
    String client = lab.clientNamespace();
    List<String> pingN1 = List.of("ping", "-c", "1", "-W", "1", lab.get("N1_LAN_IP"));
    List<String> pingClient = List.of("ping", "-c", "1", "-W", "1", lab.get("CLIENT_IP"));
    assertThat(lab.in(client).run(pingN1, TIMEOUT).ok()).as("reachable before").isTrue();

    lab.isolate(n1);
    try {
      lab.in(client).run(List.of("ip", "neigh", "flush", "all"), TIMEOUT);
      assertThat(lab.in(client).run(pingN1, TIMEOUT).ok()).as("a ping to it").isFalse();
      assertThat(lab.neighbour(client, lab.get("CLIENT_IF"), lab.get("N1_LAN_IP")))
          .as("its ARP answer")
          .isEmpty();
      assertThat(lab.in(n1).run(pingClient, TIMEOUT).ok()).as("a ping from it").isFalse();
    } finally {
      lab.reconnect(n1);
    }

    // The client's neighbour entry failed while the node was cut off: it resolves again.
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(lab.in(client).run(pingN1, TIMEOUT).ok())
                    .as("reachable after")
                    .isTrue());
  }
}
