package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchemaMigrationTest extends PrimaryAndReplicaStores {

  @Test
  void aSchemaOneDatabaseGetsItsDigestsWithTheChecksumUnchangedAndKeepsAgreeingWithThePrimary()
      throws Exception {
    for (int i = 0; i < 40; i++) {
      Optional<Duration> ttl = i % 5 == 0 ? Optional.of(Duration.ofHours(1)) : Optional.empty();
      primary.store.put("dhcp_leases", "lease-" + (i % 25), bytes("10.0.0." + i), ttl);
    }
    primary.store.delete("dhcp_leases", "lease-3");
    replica.store.apply(primary.store.changesAfter(0, 1000).orElseThrow());
    long agreed = primary.store.checksum();
    assertThat(replica.store.checksum()).isEqualTo(agreed);

    // The replica's file as a version without digests wrote it, its checksum forgotten too, so
    // opening must both migrate and compute the checksum from the migrated rows.
    replica.db.close();
    writeAsSchemaOne(replica.dir);
    try (StateDatabase migrated = StateDatabase.open(replica.dir)) {
      StateStore store = StateStore.open(migrated, "fw-b", clock, LogRetention.DEFAULT);

      int version = migrated.withConnection(SchemaMigration::userVersion);
      long withoutDigest = migrated.withConnection(c -> count(c, "WHERE digest IS NULL"));
      assertThat(version).isEqualTo(StateDatabase.SCHEMA_VERSION);
      assertThat(withoutDigest).isZero();
      assertThat(store.checksum()).isEqualTo(agreed).isEqualTo(hashedChecksum(migrated));

      // Writes replacing and deleting rows that got their digest from the migration: a wrong
      // digest would show as a checksum that differs from the primary's.
      primary.store.put("dhcp_leases", "lease-7", bytes("10.0.0.99"), Optional.empty());
      primary.store.put("dhcp_leases", "lease-0", bytes("10.0.0.98"), Optional.empty());
      primary.store.delete("dhcp_leases", "lease-11");
      primary.store.put("dhcp_leases", "lease-3", bytes("back"), Optional.empty());
      store.apply(primary.store.changesAfter(store.position(), 1000).orElseThrow());

      assertThat(store.checksum())
          .isEqualTo(primary.store.checksum())
          .isEqualTo(hashedChecksum(migrated));
      assertThat(store.get("dhcp_leases", "lease-7").orElseThrow().value())
          .isEqualTo(bytes("10.0.0.99"));
    }
  }

  @Test
  void aSnapshotStagedBySchemaOneIsDroppedAndTheNextSnapshotIsAdopted() throws Exception {
    for (int i = 0; i < 10; i++) {
      primary.store.put("dns_records", "host" + i, bytes("10.1.0." + i), Optional.empty());
    }
    replica.db.close();
    writeAsSchemaOne(replica.dir);
    try (StateDatabase migrated = StateDatabase.open(replica.dir)) {
      StateStore store = StateStore.open(migrated, "fw-b", clock, LogRetention.DEFAULT);
      try (SnapshotSource source = primary.store.snapshot()) {
        SnapshotSink sink = store.receiveSnapshot();
        sink.add(source.next(1000));
        sink.finish(source.header(), source.checksum());
      }

      assertThat(store.checksum())
          .isEqualTo(primary.store.checksum())
          .isEqualTo(hashedChecksum(migrated));
      assertThat(store.list("dns_records", 100)).hasSize(10);
    }
  }

  @Test
  void aDatabaseOfANewerSchemaIsRefusedAndLeftAsItWas() throws Exception {
    primary.store.put("dns_records", "host", bytes("10.1.0.1"), Optional.empty());
    primary.db.close();
    try (Connection c = SqliteFiles.connect(primary.dir);
        Statement st = c.createStatement()) {
      st.executeUpdate("PRAGMA user_version = " + (StateDatabase.SCHEMA_VERSION + 1));
    }

    assertThatThrownBy(() -> StateDatabase.open(primary.dir))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("newer flywall")
        .hasMessageContaining("run that version");
    try (Connection c = SqliteFiles.connect(primary.dir)) {
      assertThat(SchemaMigration.userVersion(c)).isEqualTo(StateDatabase.SCHEMA_VERSION + 1);
      assertThat(count(c, "")).isEqualTo(1);
    }
    // StoreFixture.close() closes the database again: a second close is harmless.
  }

  /**
   * Rewrites the database in {@code dir} as the version before digests left it: entries without the
   * digest column (and its staging table too, half-filled), user_version 0, no checksum.
   */
  static void writeAsSchemaOne(Path dir) throws SQLException {
    try (Connection c = SqliteFiles.connect(dir);
        Statement st = c.createStatement()) {
      st.executeUpdate(
          "CREATE TABLE old_entries (bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB,"
              + " version INTEGER NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,"
              + " expires_ms INTEGER NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID");
      st.executeUpdate(
          "INSERT INTO old_entries SELECT bucket, key, value, version, hlc, origin, expires_ms"
              + " FROM entries");
      st.executeUpdate("DROP TABLE entries");
      st.executeUpdate("ALTER TABLE old_entries RENAME TO entries");
      st.executeUpdate(StateDatabase.EXPIRY_INDEX);
      st.executeUpdate("DROP TABLE snapshot_staging");
      st.executeUpdate(
          "CREATE TABLE snapshot_staging (bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB,"
              + " version INTEGER NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,"
              + " expires_ms INTEGER NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID");
      st.executeUpdate(
          "INSERT INTO snapshot_staging VALUES ('dns_records', 'half', x'00', 1, 1, 'fw-a', 0)");
      st.executeUpdate("DELETE FROM node_meta WHERE key IN ('checksum', 'checksum_at')");
      st.executeUpdate("PRAGMA user_version = 0");
    }
  }

  /** The checksum computed the long way: every live row hashed, ignoring the stored digests. */
  static long hashedChecksum(StateDatabase db) throws StateStoreException {
    return db.withConnection(SchemaMigrationTest::hashedChecksum);
  }

  /** The same on a plain connection (a file of any schema: the digest column is not read). */
  static long hashedChecksum(Connection c) throws SQLException {
    long sum = 0;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT bucket, key, value, version, hlc, origin, expires_ms FROM entries"
                    + " WHERE value IS NOT NULL")) {
      while (rs.next()) {
        sum ^= StateChecksum.digest(EntryRows.entry(rs));
      }
    }
    return sum;
  }

  private static long count(Connection c, String where) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM entries " + where)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  /** A plain connection to a state directory's database, outside the store. */
  private static final class SqliteFiles {
    static Connection connect(Path dir) throws SQLException {
      return java.sql.DriverManager.getConnection(
          "jdbc:sqlite:" + dir.resolve(StateDatabase.FILE_NAME));
    }
  }
}
