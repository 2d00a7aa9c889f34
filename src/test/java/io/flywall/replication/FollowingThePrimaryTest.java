package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * DESIGN 10.1, "a replica follows the current primary": a stream that falls silent is closed and
 * reported, and a new primary takes the replica at once, with an honest sync_state meanwhile.
 */
class FollowingThePrimaryTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static void write(ReplicationNode primary, String prefix, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      primary.replication.put("b", prefix + i, ("value-" + i).getBytes(UTF_8), Optional.empty());
    }
  }

  private static boolean equal(ReplicationNode a, ReplicationNode b) {
    return a.store.position() == b.store.position() && a.store.checksum() == b.store.checksum();
  }

  @Test
  void aStreamThatFallsSilentIsClosedAndReportedAndTheReplicaCatchesUpOnItsNextConnection()
      throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options);
        FaultyProxy proxy = new FaultyProxy(a.target().address())) {
      a.lead(1);
      write(a, "first-", 50);
      b.primary.set(Optional.of(new PrimaryTarget("fw-a", proxy.address())));
      b.replication.becomeReplica(Optional.of("fw-a"));
      await().atMost(WAIT).until(() -> equal(a, b));
      await().atMost(WAIT).until(() -> b.replication.status().syncState().equals("in_sync"));

      proxy.arm(FaultyProxy.Fault.STALL, 1_000);
      b.replication.resync();
      await().atMost(WAIT).until(() -> proxy.faultsDone.get() > 0);
      write(a, "second-", 50);

      // The stalled stream is closed after the silence limit (1 s here), and counted.
      await()
          .atMost(WAIT)
          .until(() -> (long) b.replication.stats().get("silent_streams_closed") > 0);
      await().atMost(WAIT).until(() -> equal(a, b));
      assertThat(proxy.connections.get()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void aReplicaLeavesAPrimaryThatWentSilentForTheNewPrimaryAndIsInSyncOnlyWithIt()
      throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("fw-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("fw-b", KEY, options);
        ReplicationNode c = ReplicationNode.fresh("fw-c", KEY, options);
        FaultyProxy proxy = new FaultyProxy(a.target().address())) {
      a.lead(1);
      write(a, "a-", 300);
      b.follow(a);
      PrimaryTarget viaProxy = new PrimaryTarget("fw-a", proxy.address());
      c.primary.set(Optional.of(viaProxy));
      c.replication.becomeReplica(Optional.of("fw-a"));
      await().atMost(WAIT).until(() -> equal(a, b) && equal(a, c));
      await().atMost(WAIT).until(() -> Boolean.TRUE.equals(c.inSync.get()));

      // a is "powered off" for c: its stream stalls, nothing is closed. b takes over, writes on.
      proxy.arm(FaultyProxy.Fault.STALL, 1_000);
      c.replication.resync();
      await().atMost(WAIT).until(() -> proxy.faultsDone.get() > 0);
      b.lead(2);
      c.epoch.set(2);
      write(b, "b-", 300);
      // The controller names b: c drops a's stream and is no longer caught up until it has b's.
      c.primary.set(Optional.of(b.target()));
      c.replication.primaryIs(Optional.of(b.target()));
      assertThat(c.inSync.get()).isFalse();
      assertThat(c.replication.status().syncState()).isNotEqualTo("in_sync");

      await().atMost(WAIT).until(() -> equal(b, c));
      await().atMost(WAIT).until(() -> c.replication.status().syncState().equals("in_sync"));
      ReplicationStatus status = c.replication.status();
      assertThat(status.primaryId()).isEqualTo("fw-b");
      assertThat(status.position()).isEqualTo(b.store.position());
      assertThat(c.inSync.get()).isTrue();
    }
  }
}
