package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flywall.state.NotPrimaryException;
import io.flywall.state.WriteOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Section 6 on loopback, in one process: stream, snapshot, resume, fencing, merge, sync mode. */
class ReplicationStreamTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  private static void awaitEqual(ReplicationNode a, ReplicationNode b) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                a.store.position() == b.store.position()
                    && a.store.checksum() == b.store.checksum());
  }

  @ParameterizedTest(name = "encryption={0} compression={1}")
  @CsvSource({"true,true", "false,false", "true,false", "false,true"})
  void tenThousandWritesReachTheReplicaWithEqualChecksums(boolean encryption, boolean compression)
      throws Exception {
    var options = new ReplicationNode.Options().encryption(encryption).compression(compression);
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options)) {
      a.lead(1);
      b.follow(a);
      for (int i = 0; i < 10_000; i++) {
        a.replication.put(
            "dhcp_leases",
            "lease-" + i,
            bytes("{\"ip\":\"10.0." + (i / 250) + "." + (i % 250) + "\"}"),
            Optional.empty());
      }
      awaitEqual(a, b);
      await().atMost(WAIT).until(() -> b.replication.status().syncState().equals("in_sync"));
      assertThat(a.replication.status().peers())
          .singleElement()
          .satisfies(p -> assertThat(p.lagChanges()).isZero());
      assertThat(b.store.get("dhcp_leases", "lease-9999")).isPresent();
      assertThat(b.inSync.get()).isTrue();
      Map<String, Object> stats = a.replication.stats();
      // Writes made before the replica connected arrive in its first snapshot; the rest in batches.
      assertThat((long) stats.get("batches_sent")).isPositive();
      if (compression) {
        assertThat((long) stats.get("compressed_bytes_sent"))
            .isLessThan((long) stats.get("raw_bytes_sent"));
      }
    }
  }

  @Test
  void aReplicaRestartedMidStreamResumesFromItsPositionWithoutASnapshot() throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options)) {
      a.lead(1);
      ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options);
      b.follow(a);
      for (int i = 0; i < 3_000; i++) {
        a.replication.put("learning", "mac-" + i, bytes("port" + (i % 8)), Optional.empty());
      }
      await().atMost(WAIT).until(() -> b.store.position() > 0);
      b.stop();
      for (int i = 3_000; i < 5_000; i++) {
        a.replication.put("learning", "mac-" + i, bytes("port" + (i % 8)), Optional.empty());
      }
      try (ReplicationNode b2 = new ReplicationNode("fw-b", b.dir, KEY, options)) {
        long resumedFrom = b2.store.position();
        b2.follow(a);
        awaitEqual(a, b2);
        assertThat(resumedFrom).isPositive();
        assertThat(b2.replication.stats().get("snapshots_received")).isEqualTo(0L);
      }
    }
  }

  @Test
  void aReplicaFurtherBehindThanTheFeedIsServedFromTheLogWithoutASnapshot() throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options)) {
      a.lead(1);
      ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options);
      b.follow(a);
      a.replication.put("b", "first", bytes("1"), Optional.empty());
      awaitEqual(a, b);
      b.stop();
      // Three times what the feed holds, in batches as a bulk import writes them.
      for (int round = 0; round < 12; round++) {
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
          ops.add(
              WriteOp.put(
                  "dhcp_leases", "lease-" + round + "-" + i, bytes("10.0." + i), Optional.empty()));
        }
        a.replication.write(ops);
      }
      try (ReplicationNode b2 = new ReplicationNode("fw-b", b.dir, KEY, options)) {
        b2.follow(a);
        awaitEqual(a, b2);
        assertThat(b2.replication.stats().get("snapshots_received")).isEqualTo(0L);
        assertThat((long) a.replication.stats().get("changes_sent_from_log"))
            .as("the first 12,000 - 4,096 at least")
            .isGreaterThanOrEqualTo(12_000 - 4_096);
      }
    }
  }

  @Test
  void aReplicaTooFarBehindTheRetainedLogGetsASnapshot() throws Exception {
    var small =
        new ReplicationNode.Options().retention(new io.flywall.state.LogRetention(100, 1 << 20));
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, small)) {
      a.lead(1);
      ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, small);
      b.follow(a);
      a.replication.put("b", "first", bytes("1"), Optional.empty());
      awaitEqual(a, b);
      b.stop();
      for (int i = 0; i < 500; i++) {
        a.replication.put("b", "k" + i, bytes("v"), Optional.empty());
      }
      try (ReplicationNode b2 = new ReplicationNode("fw-b", b.dir, KEY, small)) {
        b2.follow(a);
        awaitEqual(a, b2);
        assertThat(b2.replication.stats().get("snapshots_received")).isEqualTo(1L);
      }
    }
  }

  @Test
  void aWrongSecretIsRefusedCountedAndGetsNoState() throws Exception {
    for (boolean encryption : new boolean[] {true, false}) {
      var options = new ReplicationNode.Options().encryption(encryption);
      try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
          ReplicationNode b =
              ReplicationNode.fresh(
                  "fw-b", "another secret of 32 bytes......".getBytes(UTF_8), options)) {
        a.lead(1);
        a.replication.put("dns_records", "secret-host", bytes("10.9.9.9"), Optional.empty());
        b.follow(a);
        await().atMost(WAIT).until(() -> (long) a.replication.stats().get("auth_failures") > 0);
        await().atMost(WAIT).until(() -> "error".equals(b.replication.status().syncState()));
        assertThat(b.store.position()).isZero();
        assertThat(b.store.get("dns_records", "secret-host")).isEmpty();
        assertThat((long) a.replication.stats().get("changes_sent")).isZero();
      }
    }
  }

  @Test
  void aReplicaRefusesAStreamFromALowerEpoch() throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options)) {
      a.lead(3);
      a.replication.put("b", "k", bytes("v"), Optional.empty());
      b.epoch.set(5);
      b.follow(a);
      await()
          .atMost(WAIT)
          .until(
              () -> {
                String problem = b.replication.status().problem();
                return problem != null && problem.contains("older");
              });
      assertThat(b.store.position()).isZero();
    }
  }

  @Test
  void writesOnAReplicaAreRefusedWithThePrimarysIdentity() throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options)) {
      a.lead(1);
      b.follow(a);
      assertThatThrownBy(() -> b.replication.put("b", "k", bytes("v"), Optional.empty()))
          .isInstanceOf(NotPrimaryException.class)
          .hasMessageContaining("fw-a");
    }
  }

  @Test
  void afterASplitBrainTheDemotedNodesWritesAreMergedAndChecksumsConverge() throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options)) {
      a.lead(1);
      b.follow(a);
      for (int i = 0; i < 100; i++) {
        a.replication.put("b", "k" + i, bytes("before"), Optional.empty());
      }
      awaitEqual(a, b);
      // Partition: b takes over at epoch 2 while a, cut off, still writes at epoch 1.
      b.primary.set(Optional.empty());
      b.lead(2);
      a.replication.put("b", "k1", bytes("a-during-split"), Optional.empty());
      a.replication.put("b", "only-a", bytes("a"), Optional.empty());
      b.replication.put("b", "k1", bytes("b-during-split"), Optional.empty());
      b.replication.put("b", "only-b", bytes("b"), Optional.empty());
      a.replication.put("b", "k2", bytes("a-late"), Optional.empty());
      // Heal: a learns of epoch 2 and follows b.
      a.epoch.set(2);
      a.follow(b);
      awaitEqual(a, b);

      assertThat(b.store.get("b", "only-a")).isPresent();
      assertThat(b.store.get("b", "only-b")).isPresent();
      assertThat(new String(b.store.get("b", "k1").orElseThrow().value(), UTF_8))
          .isEqualTo("b-during-split");
      assertThat(new String(b.store.get("b", "k2").orElseThrow().value(), UTF_8))
          .isEqualTo("a-late");
      assertThat(b.store.conflicts(10))
          .anySatisfy(
              c -> {
                assertThat(c.key()).isEqualTo("k1");
                assertThat(new String(c.loserValue(), UTF_8)).isEqualTo("a-during-split");
              });
      assertThat(b.replication.status().conflicts()).isPositive();
      // The conflicts are logged like any write: the other node has them too, checksums equal.
      assertThat(a.store.conflicts(10))
          .anySatisfy(c -> assertThat(c.key()).isEqualTo("k1"))
          .hasSameSizeAs(b.store.conflicts(10));
    }
  }

  /** b and c follow a through 50 writes, then, cut off from each other, both take over at 2. */
  private static void bothLeadEpochTwoAfterFollowing(
      ReplicationNode a, ReplicationNode b, ReplicationNode c) throws Exception {
    a.lead(1);
    b.follow(a);
    c.follow(a);
    for (int i = 0; i < 50; i++) {
      a.replication.put("b", "k" + i, bytes("before"), Optional.empty());
    }
    awaitEqual(a, b);
    awaitEqual(a, c);
    b.primary.set(Optional.empty());
    c.primary.set(Optional.empty());
    b.lead(2);
    c.lead(2);
  }

  @Test
  void twoPrimariesAtTheSameEpochAreMergedWhenOneFollowsTheOther() throws Exception {
    // Cut off from each other, b and c both took over at epoch 2 and wrote as many changes each:
    // their logs hold different changes at the same positions with the same epoch, which the
    // log point cannot tell apart. The replica finds it from the checksum at the same position.
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options);
        ReplicationNode c = ReplicationNode.fresh("fw-c", KEY, options)) {
      bothLeadEpochTwoAfterFollowing(a, b, c);
      b.replication.put("b", "k1", bytes("b-during-split"), Optional.empty());
      b.replication.put("b", "only-b", bytes("b"), Optional.empty());
      c.replication.put("b", "k2", bytes("c-during-split"), Optional.empty());
      c.replication.put("b", "only-c", bytes("c"), Optional.empty());
      assertThat(b.store.position()).isEqualTo(c.store.position());
      assertThat(b.store.logPoint().epoch()).isEqualTo(c.store.logPoint().epoch());

      // Heal: b follows c, at the same epoch.
      b.replication.becomeReplica(Optional.empty());
      b.follow(c);
      awaitEqual(b, c);

      assertThat(c.store.get("b", "only-b")).isPresent();
      assertThat(c.store.get("b", "only-c")).isPresent();
      assertThat(new String(c.store.get("b", "k1").orElseThrow().value(), UTF_8))
          .isEqualTo("b-during-split");
      assertThat(new String(b.store.get("b", "k2").orElseThrow().value(), UTF_8))
          .isEqualTo("c-during-split");
      await().atMost(WAIT).until(() -> b.replication.status().syncState().equals("in_sync"));
    }
  }

  @Test
  void aReplicaThatWroteMoreThanThePrimaryAtTheSameEpochHasAllItsWritesOfThatEpochMerged()
      throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options);
        ReplicationNode c = ReplicationNode.fresh("fw-c", KEY, options)) {
      bothLeadEpochTwoAfterFollowing(a, b, c);
      // b's first write sits where c's only one does, same position, same epoch.
      b.replication.put("b", "first-b", bytes("b"), Optional.empty());
      b.replication.put("b", "second-b", bytes("b"), Optional.empty());
      b.replication.put("b", "third-b", bytes("b"), Optional.empty());
      c.replication.put("b", "only-c", bytes("c"), Optional.empty());

      b.replication.becomeReplica(Optional.empty());
      b.follow(c);
      awaitEqual(b, c);

      for (String key : new String[] {"first-b", "second-b", "third-b", "only-c"}) {
        assertThat(c.store.get("b", key)).as(key).isPresent();
      }
    }
  }

  @Test
  void syncModeWaitsForAnAckAndDegradesToAsyncWithoutAReplica() throws Exception {
    var options = new ReplicationNode.Options().syncMode(true);
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options)) {
      a.lead(1);
      assertThat(a.replication.put("b", "alone", bytes("v"), Optional.empty()).replicated())
          .isFalse();
      assertThat(a.replication.status().syncMode()).isEqualTo("degraded");
      b.follow(a);
      awaitEqual(a, b);
      Replication.Written written = a.replication.put("b", "acked", bytes("v"), Optional.empty());
      assertThat(written.replicated()).isTrue();
      assertThat(b.store.position()).isGreaterThanOrEqualTo(written.change().seq());
      assertThat(a.replication.status().syncMode()).isEqualTo("sync");
    }
  }

  @Test
  void aSyncWriteOfAPrimaryBackOnAShorterLogWaitsForAReplicasAckAgain() throws Exception {
    var sync = new ReplicationNode.Options().syncMode(true);
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, sync);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, sync);
        ReplicationNode c = ReplicationNode.fresh("fw-c", KEY, new ReplicationNode.Options())) {
      a.lead(1);
      b.follow(a);
      awaitEqual(a, b);
      for (int i = 0; i < 20; i++) {
        assertThat(a.replication.put("b", "k" + i, bytes("v"), Optional.empty()).replicated())
            .isTrue();
      }
      // b goes away; c, with a log of its own, is primary at epoch 2.
      b.primary.set(Optional.empty());
      b.replication.primaryIs(Optional.empty());
      c.lead(2);
      for (int i = 0; i < 3; i++) {
        c.replication.put("b", "c" + i, bytes("v"), Optional.empty());
      }
      // a steps down, drops its copy and takes c's shorter log.
      a.primary.set(Optional.empty());
      a.replication.becomeReplica(Optional.empty());
      a.replication.resync();
      a.epoch.set(2);
      a.follow(c);
      awaitEqual(a, c);
      // c is gone; a is primary again at epoch 3 with no replica at all.
      c.replication.becomeReplica(Optional.empty());
      a.primary.set(Optional.empty());
      a.lead(3);

      Replication.Written written = a.replication.put("b", "after", bytes("v"), Optional.empty());

      // Below the position b acknowledged in epoch 1: that ack was for another log.
      assertThat(written.change().seq()).isLessThan(20);
      assertThat(written.replicated()).isFalse();
      assertThat(a.replication.status().syncMode()).isEqualTo("degraded");
    }
  }

  @Test
  void syncFilesArePushedAndWrittenAtomicallyWithTheirMode() throws Exception {
    Path src = Files.createTempDirectory("flywall-files-a");
    Path dst = Files.createTempDirectory("flywall-files-b");
    Path source = src.resolve("dnsmasq.conf");
    Files.writeString(source, "server=1.1.1.1\n");
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r-----"));
    // Both nodes name the same path in sync_files; here the replica's lives in another dir, so
    // the primary's path is made the replica's by a symlink-free copy of the layout.
    Path target = dst.resolve("dnsmasq.conf");
    try (ReplicationNode a =
            ReplicationNode.fresh(
                "fw-a", KEY, new ReplicationNode.Options().syncFiles(List.of(source)));
        ReplicationNode b =
            ReplicationNode.fresh(
                "fw-b", KEY, new ReplicationNode.Options().syncFiles(List.of(target)))) {
      a.lead(1);
      b.follow(a);
      // The replica refuses the primary's path: it is not in the replica's own sync_files.
      await().atMost(WAIT).until(() -> (long) b.replication.stats().get("files_refused") > 0);
      assertThat(target).doesNotExist();
    }
    try (ReplicationNode a =
            ReplicationNode.fresh(
                "fw-a", KEY, new ReplicationNode.Options().syncFiles(List.of(source)));
        ReplicationNode b =
            ReplicationNode.fresh(
                "fw-b", KEY, new ReplicationNode.Options().syncFiles(List.of(source)))) {
      Files.writeString(source, "server=9.9.9.9\n");
      a.lead(1);
      // Same path on one machine: the replica rewrites the file with the same content, atomically.
      b.follow(a);
      await().atMost(WAIT).until(() -> (long) b.replication.stats().get("files_written") > 0);
      assertThat(Files.readString(source)).isEqualTo("server=9.9.9.9\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(source)))
          .isEqualTo("rw-r-----");
    }
  }
}
