package io.flywall.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The guide's {@code replication_test.sh} in the network lab, over the sync network: 10,000 writes
 * reach the replica with equal checksums; the primary is powered off while writing in sync mode and
 * the new primary has every acknowledged write; the old primary returns as a replica and converges
 * to the same checksum.
 */
@Tag("netns")
class ReplicationLabIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  private NetLab lab;
  private LabCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      System.out.println(cluster.logTails(40));
      cluster.close();
    }
    if (lab != null) {
      lab.close();
      assertThat(lab.namespacesLeft()).isEmpty();
    }
  }

  private Optional<JsonNode> replication(int k) {
    return cluster.api(k, "/api/replication/status");
  }

  private boolean converged(int a, int b) {
    Optional<JsonNode> x = replication(a);
    Optional<JsonNode> y = replication(b);
    return x.isPresent()
        && y.isPresent()
        && x.get().path("position").asLong() == y.get().path("position").asLong()
        && x.get().path("checksum").asText().equals(y.get().path("checksum").asText());
  }

  /** Runs the write load inside node k's namespace against its own API. */
  private Process load(int k, String bucket, String prefix, int count, int threads, Path acks)
      throws Exception {
    return LabTestSupport.load(lab, cluster, k, bucket, prefix, count, threads, acks);
  }

  private Set<String> keysOn(int k, String bucket) {
    Set<String> keys = new HashSet<>();
    cluster
        // 10,000 keys and more: at load 12-17 the listing took longer than the usual 2 s.
        .api(k, "/api/state/" + bucket + "?limit=100000", Duration.ofSeconds(20))
        .orElseThrow()
        .findValuesAsText("key")
        .forEach(keys::add);
    return keys;
  }

  @Test
  void writesReachTheReplicaAndNoAcknowledgedWriteIsLostWhenThePrimaryIsPoweredOff()
      throws Exception {
    lab = NetLab.up(2);
    cluster =
        LabTestSupport.cluster(
            lab,
            "replication",
            LabCluster.Settings.defaults()
                .withHeartbeat("300ms", 3)
                .withFailback("disabled", "1s")
                .withReplicationExtra("sync_mode = \"sync\""));
    cluster.startAll();
    await().atMost(LIMIT).until(() -> cluster.lanVipHolders().size() == 1);
    int primary = cluster.lanVipHolders().get(0);
    int replica = 3 - primary;
    await()
        .atMost(LIMIT)
        .until(
            () ->
                replication(replica)
                    .map(s -> s.path("sync_state").asText().equals("in_sync"))
                    .orElse(false));
    Path dir = cluster.config(1).getParent();

    Path leases = dir.resolve("leases.acks");
    long started = System.nanoTime();
    Process bulk = load(primary, "dhcp_leases", "lease-", 10_000, 8, leases);
    assertThat(bulk.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(Files.readAllLines(leases)).hasSize(10_000);
    await().atMost(LIMIT).until(() -> converged(primary, replica));
    System.out.printf(
        "sync mode: 10,000 single PUTs from 8 writers acknowledged and equal on the replica in"
            + " %.1f s%n",
        (System.nanoTime() - started) / 1e9);
    assertThat(keysOn(replica, "dhcp_leases")).hasSize(10_000);

    Path records = dir.resolve("records.acks");
    Process writing = load(primary, "dns_records", "rec-", 200_000, 4, records);
    await()
        .atMost(LIMIT)
        .until(() -> Files.exists(records) && Files.readAllLines(records).size() > 1_000);
    cluster.powerOff(primary);
    writing.waitFor(60, TimeUnit.SECONDS);
    await().atMost(LIMIT).until(() -> cluster.role(replica).equals(Optional.of("primary")));
    List<String> acknowledged = Files.readAllLines(records);
    Set<String> present = keysOn(replica, "dns_records");
    List<String> lost = acknowledged.stream().filter(key -> !present.contains(key)).toList();
    System.out.println(
        "sync mode: "
            + acknowledged.size()
            + " acknowledged writes, "
            + lost.size()
            + " missing after the power-off");
    assertThat(lost).as("acknowledged writes missing on the new primary").isEmpty();

    cluster.powerOn(primary);
    await().atMost(LIMIT).until(() -> cluster.role(primary).equals(Optional.of("backup")));
    await().atMost(LIMIT).until(() -> converged(primary, replica));
  }
}
