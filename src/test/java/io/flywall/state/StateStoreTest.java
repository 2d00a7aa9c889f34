package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateStoreTest extends PrimaryAndReplicaStores {

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
    // The rows a merge wrote hold their digests: a later write over one keeps the checksum right.
    primary.store.put("dns_records", "other", bytes("later"), Optional.empty());
    assertThat(primary.store.checksum()).isEqualTo(SchemaMigrationTest.hashedChecksum(primary.db));
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

  @Test
  void aBatchIsWrittenInOneTransactionWholeOrNotAtAll() throws Exception {
    primary.store.put("b", "gone", bytes("x"), Optional.empty());
    StateStore.Committed committed =
        primary.store.write(
            List.of(
                WriteOp.put("b", "k1", bytes("1"), Optional.empty()),
                WriteOp.put("b", "k1", bytes("2"), Optional.empty()),
                WriteOp.delete("b", "gone"),
                WriteOp.delete("b", "never-there")));
    assertThat(committed.changes()).as("a delete of an absent key writes nothing").hasSize(3);
    assertThat(committed.position()).isEqualTo(4);
    assertThat(primary.store.get("b", "k1").orElseThrow().version()).isEqualTo(2);
    assertThat(primary.store.get("b", "gone")).isEmpty();

    long before = primary.store.checksum();
    assertThatThrownBy(
            () ->
                primary.store.write(
                    List.of(
                        WriteOp.put("b", "k2", bytes("v"), Optional.empty()),
                        new WriteOp(WriteOp.Kind.PUT, "flywall.conflicts", "x", bytes("v"), 0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThat(primary.store.get("b", "k2")).isEmpty();
    assertThat(primary.store.position()).isEqualTo(4);
    assertThat(primary.store.checksum()).isEqualTo(before);
  }

  @Test
  void concurrentWritersEachGetTheirOwnWritesCommittedWhole() throws Exception {
    int writers = 8;
    int perWriter = 50;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    List<java.util.concurrent.Future<List<Change>>> results = new java.util.ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      results.add(
          pool.submit(
              () -> {
                List<Change> mine = new java.util.ArrayList<>();
                for (int i = 0; i < perWriter; i++) {
                  mine.addAll(
                      primary
                          .store
                          .write(
                              List.of(
                                  WriteOp.put("w" + writer, "a" + i, bytes("1"), Optional.empty()),
                                  WriteOp.put("w" + writer, "b" + i, bytes("2"), Optional.empty())))
                          .changes());
                }
                return mine;
              }));
    }
    java.util.Set<Long> positions = new java.util.HashSet<>();
    for (var result : results) {
      List<Change> mine = result.get();
      assertThat(mine).hasSize(2 * perWriter);
      for (int i = 0; i < mine.size(); i += 2) {
        assertThat(mine.get(i + 1).seq())
            .as("a batch is contiguous in the log")
            .isEqualTo(mine.get(i).seq() + 1);
      }
      mine.forEach(c -> positions.add(c.seq()));
    }
    pool.shutdown();
    assertThat(positions).hasSize(writers * perWriter * 2);
    assertThat(primary.store.position()).isEqualTo(writers * perWriter * 2L);
    replica.store.apply(primary.store.changesAfter(0, 100_000).orElseThrow());
    assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum());
  }

  @Test
  void aTtlOfMoreThanTenYearsIsRefusedSoNoExpiryCanOverflow() throws Exception {
    assertThatThrownBy(
            () ->
                primary.store.put(
                    "b", "k", bytes("v"), Optional.of(Duration.ofMillis(Long.MAX_VALUE))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10 years");
    assertThatThrownBy(
            () -> primary.store.put("b", "k", bytes("v"), Optional.of(Duration.ofSeconds(-5))))
        .isInstanceOf(IllegalArgumentException.class);
    Change longest = primary.store.put("b", "k", bytes("v"), Optional.of(WriteOp.MAX_TTL));
    assertThat(longest.expiresAtMillis())
        .isEqualTo(clock.millis() + WriteOp.MAX_TTL.toMillis())
        .isPositive();
    assertThat(primary.store.position()).isEqualTo(1);
  }

  @Test
  void aValueLargerThanEightMebibytesIsRefused() {
    assertThatThrownBy(
            () ->
                primary.store.put(
                    "b", "k", new byte[WriteOp.MAX_VALUE_BYTES + 1], Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("larger than the limit");
  }

  @Test
  void theLogIsTrimmedByBytesTooAndTheBaseSurvivesReopening() throws Exception {
    try (StoreFixture small = new StoreFixture("fw-c", clock, new LogRetention(1_000, 10_000))) {
      small.store.acceptWrites(1);
      for (int i = 0; i < 40; i++) {
        small.store.put("b", "k" + i, new byte[1_000], Optional.empty());
      }
      // Each change counts its key, value and 64 bytes: at most 9 fit in 10,000 bytes.
      assertThat(small.store.logBase()).isEqualTo(31);
      assertThat(small.store.changesAfter(30, 100)).isEmpty();
      assertThat(small.store.changesAfter(31, 100).orElseThrow()).hasSize(9);
      StateStore reopened =
          StateStore.open(small.db, "fw-c", clock, new LogRetention(1_000, 10_000));
      assertThat(reopened.logBase()).isEqualTo(31);
      assertThat(reopened.position()).isEqualTo(40);
    }
  }

  @Test
  void theChecksumRecordedWithEveryCommitEqualsOneComputedOverAllEntries() throws Exception {
    for (int i = 0; i < 30; i++) {
      primary.store.put("b" + (i % 3), "k" + (i % 7), bytes("v" + i), Optional.empty());
    }
    primary.store.delete("b0", "k0");
    long recorded = primary.store.checksum();
    // Forget where the recorded checksum belongs: opening computes it from the entries.
    primary.db.withConnection(
        c -> c.createStatement().executeUpdate("DELETE FROM node_meta WHERE key = 'checksum_at'"));
    assertThat(StateStore.open(primary.db, "fw-a", clock, LogRetention.DEFAULT).checksum())
        .isEqualTo(recorded)
        .isEqualTo(SchemaMigrationTest.hashedChecksum(primary.db))
        .isNotZero();
  }

  @Test
  void anAdoptedSnapshotReplacesEverythingAndExpiryStillWorksOnIt() throws Exception {
    replica.store.acceptWrites(1);
    replica.store.put("own", "k", bytes("mine"), Optional.empty());
    primary.store.put("learning", "mac1", bytes("port3"), Optional.of(Duration.ofSeconds(30)));
    primary.store.put("learning", "mac2", bytes("port4"), Optional.empty());
    SnapshotSink sink = replica.store.receiveSnapshot();
    try (SnapshotSource source = primary.store.snapshot()) {
      for (List<Change> chunk = source.next(1, 1); !chunk.isEmpty(); chunk = source.next(1, 1)) {
        sink.add(chunk);
      }
      sink.finish(source.header(), source.checksum());
    }
    assertThat(replica.store.get("own", "k")).isEmpty();
    assertThat(replica.store.list("learning", 10)).hasSize(2);
    assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum());
    clock.advance(Duration.ofSeconds(31));
    assertThat(replica.store.expireDue()).as("the swapped-in table keeps its expiry").isEqualTo(1);
    assertThat(replica.store.list("learning", 10)).hasSize(1);
    assertThat(replica.store.checksum())
        .as("the snapshot's rows hold their digests")
        .isEqualTo(SchemaMigrationTest.hashedChecksum(replica.db));
    // The next snapshot stages into a fresh table again.
    SnapshotSink again = replica.store.receiveSnapshot();
    again.abort();
    assertThat(replica.store.list("learning", 10)).hasSize(1);
  }

  @Test
  void conflictsRecordedByAMergeAreLoggedSoReplicasHaveThemToo() throws Exception {
    StoreFixture other = new StoreFixture("fw-c", clock, LogRetention.DEFAULT);
    try (other) {
      other.store.acceptWrites(1);
      Change theirs = other.store.put("dns_records", "host", bytes("theirs"), Optional.empty());
      clock.advance(Duration.ofSeconds(1));
      primary.store.put("dns_records", "host", bytes("mine"), Optional.empty());

      MergeOutcome outcome = primary.store.merge(List.of(theirs));

      assertThat(outcome.conflicts()).isEqualTo(1);
      replica.store.apply(primary.store.changesAfter(0, 100).orElseThrow());
      assertThat(replica.store.checksum()).isEqualTo(primary.store.checksum());
      assertThat(replica.store.conflicts(10))
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.key()).isEqualTo("host");
                assertThat(c.loserOrigin()).isEqualTo("fw-c");
                assertThat(new String(c.loserValue(), UTF_8)).isEqualTo("theirs");
              });
      assertThat(replica.store.conflictCount()).isEqualTo(1);
      assertThatThrownBy(
              () -> primary.store.put("flywall.conflicts", "x", bytes("v"), Optional.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reserved");
    }
  }

  @Test
  void theFeedHoldsCommittedChangesInLogOrderAndSaysWhenItNoLongerHasThem() throws Exception {
    for (int i = 0; i < 10; i++) {
      primary.store.put("b", "k" + i, bytes("v" + i), Optional.empty());
    }
    ChangeFeed feed = primary.store.feed();
    assertThat(feed.position()).isEqualTo(10);
    assertThat(feed.after(3, 4, Long.MAX_VALUE).orElseThrow())
        .extracting(Change::seq)
        .containsExactly(4L, 5L, 6L, 7L);
    assertThat(feed.after(0, 100, 1).orElseThrow())
        .as("a byte budget still gives one change")
        .hasSize(1);
    assertThat(feed.after(10, 100, Long.MAX_VALUE).orElseThrow()).isEmpty();
    assertThat(feed.after(0, 100, Long.MAX_VALUE).orElseThrow())
        .isEqualTo(primary.store.changesAfter(0, 100).orElseThrow());

    ChangeFeed small = new ChangeFeed(4, Long.MAX_VALUE, 0);
    small.published(primary.store.changesAfter(0, 100).orElseThrow());
    assertThat(small.after(5, 10, Long.MAX_VALUE)).as("evicted: read the log").isEmpty();
    assertThat(small.after(6, 10, Long.MAX_VALUE).orElseThrow()).hasSize(4);
  }

  // The feed's changes must die young: held longer, the daemon's collector promotes them and
  // frees them in full collections, pauses longer than a short failure_timeout (see FEED_CHANGES).
  @Test
  void aStoresFeedHoldsOnlyItsNewestFourThousandChangesAndFourMebibytes() throws Exception {
    List<WriteOp> ops = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      ops.add(WriteOp.put("b", "k" + i, bytes("v" + i), Optional.empty()));
    }
    primary.store.write(ops);
    ChangeFeed feed = primary.store.feed();
    assertThat(feed.after(5_000 - 4_096 - 1, 1, Long.MAX_VALUE))
        .as("older than the newest 4,096: read from the log")
        .isEmpty();
    assertThat(feed.after(5_000 - 4_096, 5_000, Long.MAX_VALUE).orElseThrow()).hasSize(4_096);

    byte[] large = new byte[256 * 1024];
    for (int i = 0; i < 20; i++) {
      primary.store.put("big", "k" + i, large, Optional.empty());
    }
    assertThat(feed.after(5_000 + 20 - 15, 100, Long.MAX_VALUE).orElseThrow())
        .as("16 changes of 256 KiB are more than 4 MiB")
        .hasSize(15);
    assertThat(feed.after(5_000 + 20 - 16, 100, Long.MAX_VALUE)).isEmpty();
  }
}
