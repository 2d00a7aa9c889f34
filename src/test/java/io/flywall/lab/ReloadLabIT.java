package io.flywall.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.network.CommandResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Reload (DESIGN 10.6) with real daemons in the network lab: a config that does not pass check is
 * refused and the primary keeps serving; a VIP added to the config is reachable from the client
 * after a reload, with no role change and no lost probe on the way.
 */
@Tag("netns")
class ReloadLabIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final String NEW_VIP = "10.99.1.200";

  private NetLab lab;
  private LabCluster cluster;
  private String name;

  @BeforeEach
  void name(TestInfo test) {
    LabTestSupport.assumeLab();
    name = test.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      System.out.println(cluster.logTails(40));
      cluster.close();
    }
    if (lab != null) {
      lab.close();
      assertThat(lab.namespacesLeft()).as("namespaces left by " + lab.prefix()).isEmpty();
    }
  }

  private boolean clientReaches(String address) {
    return lab.in(lab.clientNamespace())
        .run(List.of("ping", "-c", "1", "-W", "1", address), Duration.ofSeconds(5))
        .ok();
  }

  /** Adds a LAN VIP without arp_ping to node k's config file. */
  private void addVip(int k) throws Exception {
    Path config = cluster.config(k);
    String text = Files.readString(config);
    String block =
        "virtual_ip {\n      address = \""
            + NEW_VIP
            + "/24\"\n      interface = \""
            + lab.get("LAN_IF")
            + "\"\n      arp_ping = false\n    }\n    virtual_ip {";
    Files.writeString(config, text.replaceFirst("virtual_ip \\{", block));
  }

  @Test
  void aBadConfigIsRefusedAndAVipAddedLiveIsReachableFromTheClient() throws Exception {
    lab = NetLab.up(2);
    cluster =
        LabTestSupport.cluster(
            lab,
            name,
            LabCluster.Settings.defaults().withHeartbeat("200ms", 3).withFailback("manual", "1s"));
    cluster.startAll();
    await()
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                cluster.lanVipHolders().equals(List.of(1))
                    && cluster.role(2).equals(Optional.of("backup"))
                    && cluster.clientReachesServer());
    long epoch = cluster.api(1, "/api/ha/status").orElseThrow().path("epoch").asLong();
    assertThat(clientReaches(NEW_VIP)).as("the new VIP before the reload").isFalse();

    // A typo: refused with its error, nothing changes.
    Path config = cluster.config(1);
    String good = Files.readString(config);
    Files.writeString(config, good.replace("failback_mode", "failbak_mode"));
    CommandResult refused = cluster.cli(1, "reload");
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(6);
    assertThat(refused.stderr()).contains("does not pass 'flywall config check'").contains(":");
    assertThat(cluster.role(1)).contains("primary");
    Files.writeString(config, good);

    addVip(1);
    addVip(2);
    try (Pinger ping = Pinger.start(lab.clientNamespace(), lab.get("SERVER_IP"), 10, 300)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> ping.received() > 20);
      CommandResult reloaded = cluster.cli(1, "reload");
      assertThat(reloaded.ok()).as(reloaded.describe()).isTrue();
      assertThat(reloaded.stdout()).contains("virtual_ips").contains(NEW_VIP);
      assertThat(cluster.cli(2, "reload").ok()).isTrue();
      Pinger.Outage outage = ping.await();
      System.out.println("traffic across the reload: " + outage);
      assertThat(outage.received()).as(outage.toString()).isEqualTo(outage.sent());
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> clientReaches(NEW_VIP));
    assertThat(cluster.role(1)).contains("primary");
    assertThat(cluster.api(1, "/api/ha/status").orElseThrow().path("epoch").asLong())
        .isEqualTo(epoch);
    String history = cluster.cli(1, "ha", "history", "--limit", "3").stdout();
    assertThat(history).contains("reload");
  }
}
