package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The write path's multi-row statements: log rows that share their epoch, bucket and origin bind
 * them once, other rows bind everything, and the entries a write or an apply leaves are copied from
 * their log rows. Whatever the batch's size and mix, the log and the entries hold exactly the
 * changes, on the primary and on a replica, and the checksum is that of the values.
 */
class WritePathTest extends PrimaryAndReplicaStores {

  /** Names with a quote, a backslash, a comma, a parenthesis and characters beyond ASCII. */
  private static String name(int i) {
    return "k'\"\\,(" + i + ")-é-日本-\uD83D\uDE00";
  }

  private static byte[] value(int i) {
    return ("{\"v\":\"it's " + i + " – ü\"}").getBytes(UTF_8);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 63, 64, 65, 127, 128, 129, 1000, 1024, 1025, 3000})
  void aBatchOfAnySizeIsLoggedAndStoredExactlyOnThePrimaryAndTheReplica(int size) throws Exception {
    List<WriteOp> ops = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      ops.add(WriteOp.put("dhcp_leases", name(i), value(i), Optional.empty()));
    }

    List<Change> written = primary.store.write(ops).changes();

    assertThat(written).hasSize(size);
    assertThat(primary.store.changesAfter(0, 5000).orElseThrow()).isEqualTo(written);
    for (int i = 0; i < size; i++) {
      Entry entry = primary.store.get("dhcp_leases", name(i)).orElseThrow();
      assertThat(entry.value()).isEqualTo(value(i));
      assertThat(entry.version()).isEqualTo(1);
      assertThat(entry.hlc()).isEqualTo(written.get(i).hlc());
      assertThat(entry.origin()).isEqualTo("fw-a");
    }
    replica.store.apply(written);
    assertSameRowsAndChecksums();
  }

  @Test
  void aBatchThatWritesAKeySeveralTimesKeepsTheLastWriteAndLogsEveryOne() throws Exception {
    // Over 1,024 changes, so a key's writes fall in several of the slices the store logs and
    // copies at a time; "once" is written only in the first.
    List<WriteOp> ops = new ArrayList<>();
    ops.add(WriteOp.put("b", "once", value(-1), Optional.empty()));
    for (int i = 0; i < 2000; i++) {
      ops.add(WriteOp.put("b", "k" + (i % 5), value(i), Optional.empty()));
      if (i % 9 == 4) {
        ops.add(WriteOp.delete("b", "k" + (i % 5)));
      }
    }

    List<Change> written = primary.store.write(ops).changes();

    assertThat(primary.store.changesAfter(0, 5000).orElseThrow()).isEqualTo(written);
    assertThat(primary.store.get("b", "once").orElseThrow().value()).isEqualTo(value(-1));
    for (int k = 0; k < 5; k++) {
      Change last = null;
      int writes = 0;
      for (Change c : written) {
        if (c.key().equals("k" + k)) {
          last = c;
          writes++;
        }
      }
      assertThat(last.version()).isEqualTo(writes);
      assertThat(primary.store.get("b", "k" + k).map(Entry::value).orElse(null))
          .isEqualTo(last.value());
    }
    replica.store.apply(written);
    assertSameRowsAndChecksums();
  }

  @Test
  void deletesMixedWithPutsLeaveTombstonesAndAChecksumOfTheLiveValuesOnly() throws Exception {
    List<WriteOp> first = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      first.add(WriteOp.put(i % 2 == 0 ? "even" : "odd", name(i), value(i), Optional.empty()));
    }
    primary.store.write(first);
    List<WriteOp> mixed = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      String bucket = i % 2 == 0 ? "even" : "odd";
      mixed.add(
          i % 3 == 0
              ? WriteOp.delete(bucket, name(i))
              : WriteOp.put(bucket, name(i), value(i + 1000), Optional.empty()));
    }
    // A delete of a key that never existed writes nothing.
    mixed.add(WriteOp.delete("even", "absent"));

    List<Change> written = primary.store.write(mixed).changes();

    assertThat(written).hasSize(100);
    for (int i = 0; i < 100; i++) {
      Optional<Entry> entry = primary.store.get(i % 2 == 0 ? "even" : "odd", name(i));
      if (i % 3 == 0) {
        assertThat(entry).isEmpty();
      } else {
        assertThat(entry.orElseThrow().value()).isEqualTo(value(i + 1000));
        assertThat(entry.orElseThrow().version()).isEqualTo(2);
      }
    }
    replica.store.apply(primary.store.changesAfter(0, 1000).orElseThrow());
    assertSameRowsAndChecksums();
  }

  @Test
  void aReplicaLogsABatchOfManyEpochsOriginsAndBucketsAsTheyCame() throws Exception {
    List<Change> batch = new ArrayList<>();
    long hlc = primary.store.put("b", "seed", value(0), Optional.empty()).hlc().value();
    replica.store.apply(primary.store.changesAfter(0, 1).orElseThrow());
    // Statements of 64 rows (then 4, 2, 1): alike; one whose origin changes halfway; one whose
    // epoch does; one whose bucket does; one where all three change often; alike again.
    for (int i = 0; i < 327; i++) {
      int statement = i / 64;
      String origin =
          statement == 1 && i % 64 >= 32 || statement == 4 && i % 5 == 0 ? "fw-c" : "fw-a";
      long epoch =
          switch (statement) {
            case 0, 1 -> 1;
            case 2 -> i % 64 < 32 ? 1 : 2;
            case 3 -> 2;
            case 4 -> i % 3 == 0 ? 3 : 2;
            default -> 3;
          };
      String bucket = statement == 3 && i % 64 >= 32 || statement == 4 && i % 7 == 0 ? "c" : "b";
      batch.add(
          new Change(
              i + 2,
              epoch,
              bucket,
              name(i % 250),
              i % 11 == 10 ? null : value(i),
              1 + i / 250,
              new Hlc(hlc + i + 1),
              origin,
              i % 13 == 0 ? clock.millis() + 3_600_000 : 0));
    }

    replica.store.apply(batch);

    assertThat(replica.store.changesAfter(1, 1000).orElseThrow()).isEqualTo(batch);
    Map<String, Change> last = new LinkedHashMap<>();
    for (Change c : batch) {
      last.put(c.bucket() + "/" + c.key(), c.at(0, 0, c.version()));
    }
    assertThat(rows(replica.db).stream().map(Row::row).filter(c -> !c.key().equals("seed")))
        .containsExactlyInAnyOrderElementsOf(last.values());
    assertThat(replica.store.checksum()).isEqualTo(SchemaMigrationTest.hashedChecksum(replica.db));
    assertThat(rows(replica.db)).allSatisfy(r -> assertThat(r.digestMatches()).isTrue());
  }

  @Test
  void entriesOfABatchLargerThanTheLogsBoundAreAllStoredThoughTheLogKeepsFewer() throws Exception {
    try (StoreFixture small = new StoreFixture("fw-s", clock, new LogRetention(10, 1 << 20))) {
      small.store.acceptWrites(1);
      List<WriteOp> ops = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        ops.add(WriteOp.put("b", name(i), value(i), Optional.empty()));
      }

      small.store.write(ops);

      assertThat(small.store.list("b", 1000)).hasSize(100);
      assertThat(small.store.logBase()).isEqualTo(90);
      assertThat(small.store.checksum()).isEqualTo(SchemaMigrationTest.hashedChecksum(small.db));
    }
  }

  @Test
  void anEntryWhoseLogRowIsMissingFailsItsTransactionAndChangesNothing() throws Exception {
    primary.store.put("b", "k", value(1), Optional.empty());
    EntryRows entries = new EntryRows(primary.db);
    Change unlogged = new Change(99, 1, "b", "k", value(2), 2, new Hlc(1L << 40), "fw-a", 0);
    List<Row> before = rows(primary.db);

    assertThatThrownBy(
            () ->
                primary.db.withConnection(
                    c ->
                        primary.db.inTransaction(
                            () -> {
                              entries.storeLogged(
                                  List.of(
                                      new EntryRows.Written(
                                          unlogged, EntryRows.digestOf(unlogged))));
                              return null;
                            })))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("log rows are missing");
    assertThat(rows(primary.db)).isEqualTo(before);
  }

  @Test
  void aSnapshotOfManyBucketsAndOriginsIsStagedAndAdoptedRowForRow() throws Exception {
    // Sent in key order in chunks of 100 rows, staged in statements of 64, 32 and 4: some share
    // their bucket and origin, some change bucket midway, some mix origins; tombstones and
    // expiring rows among them.
    List<Change> writes = new ArrayList<>();
    long hlc = clock.millis() << 16;
    for (String bucket : List.of("b", "c", "d")) {
      for (int i = 0; i < 150; i++) {
        String origin = bucket.equals("c") && i >= 40 && i < 60 || i % 61 == 30 ? "fw-c" : "fw-a";
        writes.add(
            new Change(
                writes.size() + 1,
                1,
                bucket,
                String.format("%04d-%s", i, name(i)),
                i % 17 == 0 ? null : value(i),
                1 + i % 3,
                new Hlc(hlc + writes.size()),
                origin,
                i % 13 == 0 ? clock.millis() + 3_600_000 : 0));
      }
    }
    primary.store.apply(writes);

    SnapshotSink sink = replica.store.receiveSnapshot();
    try (SnapshotSource source = primary.store.snapshot()) {
      for (List<Change> chunk = source.next(100); !chunk.isEmpty(); chunk = source.next(100)) {
        sink.add(chunk);
      }
      sink.finish(source.header(), source.checksum());
    }

    List<Row> rows = rows(primary.db);
    assertThat(rows).hasSize(450);
    assertThat(rows(replica.db)).isEqualTo(rows);
    assertThat(rows).allSatisfy(r -> assertThat(r.digestMatches()).isTrue());
    assertThat(replica.store.checksum())
        .isEqualTo(primary.store.checksum())
        .isEqualTo(SchemaMigrationTest.hashedChecksum(replica.db));
  }

  /** Both stores hold the same rows (tombstones, digests) and the checksum of their values. */
  private void assertSameRowsAndChecksums() throws Exception {
    assertThat(replica.store.position()).isEqualTo(primary.store.position());
    assertThat(replica.store.checksum())
        .isEqualTo(primary.store.checksum())
        .isEqualTo(SchemaMigrationTest.hashedChecksum(primary.db))
        .isEqualTo(SchemaMigrationTest.hashedChecksum(replica.db));
    List<Row> rows = rows(primary.db);
    assertThat(rows(replica.db)).isEqualTo(rows);
    assertThat(rows).allSatisfy(r -> assertThat(r.digestMatches()).isTrue());
    assertThat(replica.store.changesAfter(0, 5000).orElseThrow())
        .isEqualTo(primary.store.changesAfter(0, 5000).orElseThrow());
  }

  /** One row of {@code entries} as stored, with its digest column. */
  private record Row(Change row, long digest) {
    boolean digestMatches() {
      return digest == EntryRows.digestOf(row);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Row r && row.equals(r.row) && digest == r.digest;
    }

    @Override
    public int hashCode() {
      return row.hashCode();
    }

    @Override
    public String toString() {
      return row + " " + Arrays.toString(row.value()) + " digest " + digest;
    }
  }

  private static List<Row> rows(StateDatabase db) throws StateStoreException {
    return db.withConnection(
        c -> {
          List<Row> rows = new ArrayList<>();
          try (Statement st = c.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      "SELECT bucket, key, value, version, hlc, origin, expires_ms, digest"
                          + " FROM entries ORDER BY bucket, key")) {
            while (rs.next()) {
              rows.add(row(rs));
            }
          }
          return rows;
        });
  }

  private static Row row(ResultSet rs) throws SQLException {
    return new Row(
        new Change(
            0,
            0,
            rs.getString(1),
            rs.getString(2),
            rs.getBytes(3),
            rs.getLong(4),
            new Hlc(rs.getLong(5)),
            rs.getString(6),
            rs.getLong(7)),
        rs.getLong(8));
  }
}
