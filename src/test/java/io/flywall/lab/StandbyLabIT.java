package io.flywall.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.network.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Node standby (DESIGN 10.6) with three real daemons (priorities 50/100/150, automatic failback
 * after 1 s): the primary goes standby, the next preferred node takes over without a lost probe,
 * and the standby node never reclaims, not even after a restart, until unstandby.
 */
@Tag("netns")
class StandbyLabIT {
  private static final Duration LIMIT = Duration.ofSeconds(60);

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

  private void awaitSoleHolder(int k) {
    await()
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.lanVipHolders().equals(List.of(k)));
  }

  /** For {@code seconds}, n1 never holds the VIP and n2 keeps it. */
  private void n2KeepsTheRoleFor(int seconds) throws InterruptedException {
    Instant end = Instant.now().plusSeconds(seconds);
    while (Instant.now().isBefore(end)) {
      assertThat(cluster.lanVipHolders()).containsExactly(2);
      Thread.sleep(200);
    }
  }

  @Test
  void thePrimaryGoesStandbyWithoutALostProbeAndNeverReclaimsUntilUnstandby() throws Exception {
    lab = NetLab.up(3);
    cluster =
        LabTestSupport.cluster(
            lab,
            name,
            LabCluster.Settings.defaults().withHeartbeat("200ms", 3).withFailback("auto", "1s"));
    cluster.startAll();
    awaitSoleHolder(1);
    await()
        .atMost(LIMIT)
        .until(
            () ->
                cluster.role(2).equals(Optional.of("backup"))
                    && cluster.role(3).equals(Optional.of("backup"))
                    && cluster.clientReachesServer());

    try (Pinger ping = Pinger.start(lab.clientNamespace(), lab.get("SERVER_IP"), 10, 400)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> ping.received() > 20);
      CommandResult standby = cluster.cli(1, "ha", "standby");
      assertThat(standby.ok()).as(standby.describe()).isTrue();
      assertThat(standby.stdout()).contains("handing over from n1 to n2");
      awaitSoleHolder(2);
      Pinger.Outage outage = ping.await();
      System.out.println("standby handover: " + outage);
      assertThat(outage.received()).as(outage.toString()).isEqualTo(outage.sent());
    }
    assertThat(cluster.api(1, "/api/ha/status").orElseThrow().path("standby").asBoolean()).isTrue();
    assertThat(cluster.cli(2, "ha", "cluster").stdout()).contains("backup (standby)");

    // Automatic failback would hand the role back after 1 s: a standby node takes none.
    n2KeepsTheRoleFor(5);
    // Across a restart too.
    cluster.stop(1);
    cluster.start(1);
    await().atMost(LIMIT).until(() -> cluster.role(1).equals(Optional.of("backup")));
    n2KeepsTheRoleFor(5);
    assertThat(cluster.api(1, "/api/ha/status").orElseThrow().path("standby").asBoolean()).isTrue();

    CommandResult back = cluster.cli(1, "ha", "unstandby");
    assertThat(back.ok()).as(back.describe()).isTrue();
    awaitSoleHolder(1);
    assertThat(cluster.api(1, "/api/ha/status").orElseThrow().path("standby").asBoolean())
        .isFalse();
  }

  @Test
  void standbyAskedOnAnotherNodeHandsOverAndUnstandbyAskedOnAThirdGivesTheRoleBack()
      throws Exception {
    lab = NetLab.up(3);
    cluster =
        LabTestSupport.cluster(
            lab,
            name,
            LabCluster.Settings.defaults().withHeartbeat("200ms", 3).withFailback("auto", "1s"));
    cluster.startAll();
    awaitSoleHolder(1);
    await()
        .atMost(LIMIT)
        .until(
            () ->
                cluster.role(2).equals(Optional.of("backup"))
                    && cluster.role(3).equals(Optional.of("backup"))
                    && cluster.clientReachesServer());

    // Asked on n3: the request reaches n1 in n3's heartbeats over the lab's links.
    CommandResult standby = cluster.cli(3, "ha", "standby", "n1");
    assertThat(standby.ok()).as(standby.describe()).isTrue();
    assertThat(standby.stdout()).contains("n1 is in standby (asked on n3)");
    await()
        .atMost(LIMIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              List<Integer> holders = cluster.lanVipHolders();
              return holders.size() == 1 && holders.get(0) != 1;
            });
    assertThat(cluster.api(1, "/api/ha/status").orElseThrow().path("standby").asBoolean()).isTrue();
    assertThat(cluster.cli(1, "ha", "history").stdout()).contains("asked on n3");

    // Asked on n2: n1 is eligible again and, with automatic failback, takes the role back.
    CommandResult back = cluster.cli(2, "ha", "unstandby", "n1");
    assertThat(back.ok()).as(back.describe()).isTrue();
    awaitSoleHolder(1);
    assertThat(cluster.api(1, "/api/ha/status").orElseThrow().path("standby").asBoolean())
        .isFalse();
  }
}
