package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flywall.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A schema 1 to 2 migration interrupted halfway, by an SQL error and by the process being killed,
 * leaves the old database as it was, and the next open migrates it with nothing lost. The migration
 * fills digests 10,000 rows a round; 25,000 rows make it stop in its second round.
 */
class SchemaMigrationFaultTest {
  private static final int ROWS = 25_000;
  private static final int MIDWAY = 15_000;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private StoreFixture node;
  private long checksum;
  private long position;

  @BeforeEach
  void schemaOneDatabase() throws Exception {
    node = new StoreFixture("fw-a", clock, LogRetention.DEFAULT);
    node.store.acceptWrites(1);
    for (int first = 0; first < ROWS; first += 1000) {
      List<WriteOp> ops = new ArrayList<>();
      for (int i = first; i < first + 1000; i++) {
        Optional<Duration> ttl = i % 7 == 0 ? Optional.of(Duration.ofHours(1)) : Optional.empty();
        ops.add(WriteOp.put("dhcp_leases", "lease-" + i, ("10.0." + i).getBytes(UTF_8), ttl));
      }
      node.store.write(ops);
    }
    node.store.delete("dhcp_leases", "lease-5");
    checksum = node.store.checksum();
    position = node.store.position();
    node.db.close();
    SchemaMigrationTest.writeAsSchemaOne(node.dir);
  }

  @AfterEach
  void close() throws Exception {
    node.close();
  }

  @Test
  void anSqlErrorHalfwayLeavesTheOldDatabaseIntactAndTheNextOpenMigratesIt() throws Exception {
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      // A trigger in the file, so the daemon's own open runs into it: it fails the update of the
      // MIDWAY-th row, after the column was added and a round of digests was written.
      st.executeUpdate("CREATE TABLE fault_count (n INTEGER NOT NULL)");
      st.executeUpdate("INSERT INTO fault_count VALUES (0)");
      st.executeUpdate(
          "CREATE TRIGGER fault_midway BEFORE UPDATE ON entries BEGIN"
              + " UPDATE fault_count SET n = n + 1;"
              + " SELECT RAISE(ABORT, 'injected fault') WHERE (SELECT n FROM fault_count) = "
              + MIDWAY
              + "; END");
    }

    assertThatThrownBy(() -> StateDatabase.open(node.dir))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("injected fault");

    try (Connection c = connect();
        Statement st = c.createStatement()) {
      assertStillSchemaOne(c);
      // What the failed open changed was rolled back with it, the trigger's count too.
      assertThat(single(c, "SELECT n FROM fault_count")).isZero();
      st.executeUpdate("DROP TRIGGER fault_midway");
      st.executeUpdate("DROP TABLE fault_count");
    }
    assertMigratesWithNothingLost();
  }

  @Test
  void aProcessKilledHalfwayLeavesTheOldDatabaseIntactAndTheNextOpenMigratesIt() throws Exception {
    Path file = node.dir.resolve(StateDatabase.FILE_NAME);
    Path marker = node.dir.resolve("midway");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                MigrationKilledMidway.class.getName(),
                file.toString(),
                Integer.toString(MIDWAY),
                marker.toString())
            .redirectErrorStream(true)
            .redirectOutput(node.dir.resolve("child.log").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> Files.exists(marker) || !child.isAlive());
      assertThat(marker)
          .as("the migration reached row %d (child log: %s)", MIDWAY, childLog())
          .exists();
      // SIGKILL: no rollback, no close; the transaction's spilled pages stay in the WAL.
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(Files.size(node.dir.resolve(StateDatabase.FILE_NAME + "-wal")))
        .as("the half-done migration's pages reached the WAL")
        .isPositive();

    try (Connection c = connect()) {
      assertStillSchemaOne(c);
    }
    assertMigratesWithNothingLost();
  }

  /**
   * Opened as the daemon opens it: migrated, every row kept, the checksum and position as before.
   */
  private void assertMigratesWithNothingLost() throws Exception {
    try (StateDatabase migrated = StateDatabase.open(node.dir)) {
      StateStore store = StateStore.open(migrated, "fw-a", clock, LogRetention.DEFAULT);
      assertThat(migrated.withConnection(SchemaMigration::userVersion))
          .isEqualTo(StateDatabase.SCHEMA_VERSION);
      long rows = migrated.withConnection(c -> single(c, "SELECT COUNT(*) FROM entries"));
      long withoutDigest =
          migrated.withConnection(
              c -> single(c, "SELECT COUNT(*) FROM entries WHERE digest IS NULL"));
      assertThat(rows).isEqualTo(ROWS);
      assertThat(withoutDigest).isZero();
      assertThat(store.checksum())
          .isEqualTo(checksum)
          .isEqualTo(SchemaMigrationTest.hashedChecksum(migrated));
      assertThat(store.position()).isEqualTo(position);
      assertThat(store.get("dhcp_leases", "lease-24999").orElseThrow().value())
          .isEqualTo("10.0.24999".getBytes(UTF_8));
      assertThat(store.get("dhcp_leases", "lease-5")).isEmpty();
    }
  }

  /** The file as schema 1 left it: no digest column, user_version 0, every row and its checksum. */
  private void assertStillSchemaOne(Connection c) throws SQLException {
    assertThat(SchemaMigration.userVersion(c)).isZero();
    assertThat(single(c, "SELECT COUNT(*) FROM pragma_table_info('entries') WHERE name = 'digest'"))
        .isZero();
    assertThat(single(c, "SELECT COUNT(*) FROM entries")).isEqualTo(ROWS);
    assertThat(SchemaMigrationTest.hashedChecksum(c)).isEqualTo(checksum);
  }

  private String childLog() throws Exception {
    Path log = node.dir.resolve("child.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + node.dir.resolve(StateDatabase.FILE_NAME));
  }

  private static long single(Connection c, String query) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
