package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StateStoreTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private StoreFixture primary;
  private StoreFixture replica;

  @BeforeEach
  void open() throws Exception {
    primary = new StoreFixture("fw-a", clock, LogRetention.DEFAULT);
    replica = new StoreFixture("fw-b", clock, LogRetention.DEFAULT);
    primary.store.acceptWrites(1);
  }

  @AfterEach
  void close() throws Exception {
    primary.close();
    replica.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void aWriteIsReadBackWithVersionOriginAndALogRecord() throws Exception {
    Change first = primary.store.put("dhcp_leases", "aa:bb", bytes("10.0.0.5"), Optional.empty());
    Change second = primary.store.put("dhcp_leases", "aa:bb", bytes("10.0.0.6"), Optional.empty());

    Entry entry = primary.store.get("dhcp_leases", "aa:bb").orElseThrow();
    assertThat(new String(entry.value(), UTF_8)).isEqualTo("10.0.0.6");
    assertThat(entry.version()).isEqualTo(2);
    assertThat(entry.origin()).isEqualTo("fw-a");
    assertThat(second.hlc()).isGreaterThan(first.hlc());
    assertThat(primary.store.position()).isEqualTo(2);
    assertThat(primary.store.changesAfter(0, 10).orElseThrow()).containsExactly(first, second);
  }

  @Test
  void aNonPrimaryRefusesWritesNamingThePrimary() {
    replica.store.refuseWrites(Optional.of("fw-a"));
    assertThatThrownBy(() -> replica.store.put("dns_records", "x", bytes("1"), Optional.empty()))
        .isInstanceOf(NotPrimaryException.class)
        .hasMessageContaining("fw-a");
  }

  @Test
  void applyingThePrimarysLogGivesAnEqualChecksum() throws Exception {
    for (int i = 0; i < 50; i++) {
      primary.store.put("b" + (i % 3), "k" + (i % 17), bytes("v" + i), Optional.empty());
    }
    primary.store.delete("b0", "k0");
    replica.store.apply(primary.store.changesAfter(0, 1000).orElseThrow());

    assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum());
    assertThat(replica.store.position()).isEqualTo(primary.store.position());
    assertThat(replica.store.logPoint().epoch()).isEqualTo(primary.store.logPoint().epoch());
  }

  @Test
  void theChecksumSurvivesReopening() throws Exception {
    primary.store.put("b", "k1", bytes("v1"), Optional.empty());
    primary.store.put("b", "k2", bytes("v2"), Optional.empty());
    primary.store.delete("b", "k1");
    long before = primary.store.checksum();
    StateStore reopened = StateStore.open(primary.db, "fw-a", clock, LogRetention.DEFAULT);
    assertThat(reopened.checksum()).isEqualTo(before);
    assertThat(reopened.position()).isEqualTo(3);
    assertThat(reopened.historyId()).isEqualTo(primary.store.historyId());
  }

  @Test
  void aBatchThatDoesNotContinueTheLogIsRefusedWhole() throws Exception {
    for (int i = 0; i < 5; i++) {
      primary.store.put("b", "k" + i, bytes("v"), Optional.empty());
    }
    List<Change> log = primary.store.changesAfter(0, 10).orElseThrow();
    assertThatThrownBy(() -> replica.store.apply(log.subList(1, 5)))
        .isInstanceOf(LogGapException.class);
    assertThat(replica.store.position()).isZero();
    assertThat(replica.store.list("b", 10)).isEmpty();
  }

  @Test
  void expiredEntriesAreHiddenAndTheSweepDeletesThemThroughTheLog() throws Exception {
    primary.store.put("learning", "mac1", bytes("port3"), Optional.of(Duration.ofSeconds(30)));
    replica.store.apply(primary.store.changesAfter(0, 10).orElseThrow());
    clock.advance(Duration.ofSeconds(31));

    assertThat(primary.store.get("learning", "mac1")).isEmpty();
    assertThat(replica.store.get("learning", "mac1")).isEmpty();
    assertThat(primary.store.expireDue()).isEqualTo(1);
    replica.store.apply(primary.store.changesAfter(1, 10).orElseThrow());
    assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum()).isZero();
  }

  @Test
  void theLogIsTrimmedToItsBoundAndAReplicaBehindItNeedsASnapshot() throws Exception {
    try (StoreFixture small = new StoreFixture("fw-c", clock, new LogRetention(10, 1 << 20))) {
      small.store.acceptWrites(1);
      for (int i = 0; i < 25; i++) {
        small.store.put("b", "k" + i, bytes("v"), Optional.empty());
      }
      assertThat(small.store.logBase()).isEqualTo(15);
      assertThat(small.store.changesAfter(3, 100)).isEmpty();
      assertThat(small.store.changesAfter(15, 100).orElseThrow()).hasSize(10);
      assertThat(small.store.agreementWith(new LogPoint(small.store.historyId(), 1, 3))).isEmpty();
    }
  }

  @Test
  void aSnapshotReproducesTheStoreAndItsPosition() throws Exception {
    for (int i = 0; i < 120; i++) {
      primary.store.put("b" + (i % 4), "k" + i, bytes("v" + i), Optional.empty());
    }
    primary.store.delete("b1", "k1");
    SnapshotSink sink = replica.store.receiveSnapshot();
    try (SnapshotSource source = primary.store.snapshot()) {
      for (List<Change> chunk = source.next(7); !chunk.isEmpty(); chunk = source.next(7)) {
        sink.add(chunk);
      }
      sink.finish(source.header(), source.checksum());
    }
    assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum());
    assertThat(replica.store.logPoint()).isEqualTo(primary.store.logPoint());
    assertThat(replica.store.get("b1", "k1")).isEmpty();
    // The log continues from the snapshot's position.
    primary.store.put("b", "after", bytes("x"), Optional.empty());
    replica.store.apply(primary.store.changesAfter(replica.store.position(), 10).orElseThrow());
    assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum());
  }

  @Test
  void aSnapshotCutOffMidwayChangesNothing() throws Exception {
    replica.store.acceptWrites(1);
    replica.store.put("own", "k", bytes("mine"), Optional.empty());
    long before = replica.store.checksum();
    for (int i = 0; i < 30; i++) {
      primary.store.put("b", "k" + i, bytes("v"), Optional.empty());
    }
    SnapshotSink sink = replica.store.receiveSnapshot();
    try (SnapshotSource source = primary.store.snapshot()) {
      sink.add(source.next(10));
      assertThatThrownBy(() -> sink.finish(source.header(), 12345L))
          .isInstanceOf(SnapshotMismatchException.class);
    }
    assertThat(replica.store.checksum()).isEqualTo(before);
    assertThat(replica.store.get("own", "k")).isPresent();
    assertThat(replica.store.list("b", 100)).isEmpty();
  }

  @Test
  void aReplicaRefusesABatchStampedMoreThanAMinuteAheadAndAppliesNothingOfIt() throws Exception {
    primary.store.put("b", "early", bytes("v"), Optional.empty());
    replica.store.apply(primary.store.changesAfter(0, 10).orElseThrow());
    try (StoreFixture fast =
        new StoreFixture(
            "fw-fast", new MutableClock(clock.instant().plusSeconds(120)), LogRetention.DEFAULT)) {
      fast.store.acceptWrites(1);
      fast.store.put("b", "early", bytes("v"), Optional.empty());
      fast.store.put("b", "late", bytes("from the future"), Optional.empty());
      List<Change> batch = fast.store.changesAfter(1, 10).orElseThrow();
      long checksum = replica.store.checksum();

      assertThatThrownBy(() -> replica.store.apply(batch))
          .isInstanceOf(StateStoreException.class)
          .hasMessageContaining("b/late from fw-fast")
          .hasMessageContaining("120 s ahead");
      assertThat(replica.store.position()).isEqualTo(1);
      assertThat(replica.store.checksum()).isEqualTo(checksum);
      assertThat(replica.store.get("b", "late")).isEmpty();
    }
  }

  @Test
  void aMergeRefusesWritesStampedMoreThanAMinuteAheadSoTheyCannotWinEveryKey() throws Exception {
    Change mine = primary.store.put("dns_records", "host", bytes("mine"), Optional.empty());
    Change forged =
        new Change(
            1,
            1,
            "dns_records",
            "host",
            bytes("wins forever"),
            1,
            new Hlc(Long.MAX_VALUE),
            "fw-b",
            0);

    assertThatThrownBy(() -> primary.store.merge(List.of(forged)))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("ahead of this node's clock");
    assertThat(new String(primary.store.get("dns_records", "host").orElseThrow().value(), UTF_8))
        .isEqualTo("mine");
    assertThat(primary.store.put("dns_records", "x", bytes("1"), Optional.empty()).hlc())
        .isGreaterThan(mine.hlc());
  }

  @Test
  void mergeKeepsTheLaterWriteByHlcAndRecordsTheLoser() throws Exception {
    replica.store.acceptWrites(1);
    Change older = replica.store.put("dns_records", "host", bytes("old"), Optional.empty());
    clock.advance(Duration.ofSeconds(1));
    primary.store.put("dns_records", "host", bytes("new"), Optional.empty());
    clock.advance(Duration.ofSeconds(1));
    Change newer = replica.store.put("dns_records", "other", bytes("only-on-b"), Optional.empty());

    MergeOutcome outcome = primary.store.merge(List.of(older, newer));

    assertThat(outcome).isEqualTo(new MergeOutcome(1, 1, 0));
    assertThat(new String(primary.store.get("dns_records", "host").orElseThrow().value(), UTF_8))
        .isEqualTo("new");
    assertThat(primary.store.get("dns_records", "other")).isPresent();
    Conflict conflict = primary.store.conflicts(10).get(0);
    assertThat(conflict.loserOrigin()).isEqualTo("fw-b");
    assertThat(new String(conflict.loserValue(), UTF_8)).isEqualTo("old");
    assertThat(primary.store.merge(List.of(newer)).alreadyPresent()).isEqualTo(1);
  }

  @Test
  void aReplicaWhoseLastEpochEndedEarlierHereAgreesOnlyUpToThatEnd() throws Exception {
    for (int i = 0; i < 5; i++) {
      primary.store.put("b", "k" + i, bytes("v"), Optional.empty());
    }
    primary.store.acceptWrites(2);
    primary.store.put("b", "e2", bytes("v"), Optional.empty());
    String history = primary.store.historyId();

    assertThat(primary.store.agreementWith(new LogPoint(history, 1, 5))).contains(5L);
    assertThat(primary.store.agreementWith(new LogPoint(history, 1, 8))).contains(5L);
    assertThat(primary.store.agreementWith(new LogPoint(history, 2, 6))).contains(6L);
    assertThat(primary.store.agreementWith(new LogPoint("other", 1, 5))).isEmpty();
  }
}
