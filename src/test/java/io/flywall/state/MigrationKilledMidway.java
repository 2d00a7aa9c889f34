package io.flywall.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import org.sqlite.Function;
import org.sqlite.SQLiteConfig;

/**
 * The process {@code SchemaMigrationFaultTest} kills: it opens a schema 1 database as {@link
 * StateDatabase#open} does and runs the migration, which stops after {@code ROWS} digests are
 * written (inside its transaction, with a page cache small enough that the changed pages spill into
 * the WAL), writes the file {@code MARKER} and waits to be killed.
 *
 * <p>{@code MigrationKilledMidway DB_FILE ROWS MARKER}
 */
final class MigrationKilledMidway {
  private MigrationKilledMidway() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long rows = Long.parseLong(args[1]);
    Path marker = Path.of(args[2]);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    CountDownLatch never = new CountDownLatch(1);
    Function.create(
        c,
        "killed_here",
        new Function() {
          @Override
          protected void xFunc() {
            try {
              Files.writeString(marker, "midway\n");
              never.await();
            } catch (Exception e) {
              Runtime.getRuntime().halt(3);
            }
          }
        });
    try (Statement st = c.createStatement()) {
      st.executeUpdate("PRAGMA cache_size = 8");
      // A temporary trigger lives on this connection only: the file keeps no trace of it.
      st.executeUpdate("CREATE TEMP TABLE digests_written (n INTEGER NOT NULL)");
      st.executeUpdate("INSERT INTO digests_written VALUES (0)");
      st.executeUpdate(
          "CREATE TEMP TRIGGER midway AFTER UPDATE ON main.entries BEGIN"
              + " UPDATE digests_written SET n = n + 1;"
              + " SELECT killed_here() WHERE (SELECT n FROM digests_written) = "
              + rows
              + "; END");
    }
    SchemaMigration.toCurrent(c, file);
    // Reached only if the migration never wrote that many digests: the test then fails on the
    // missing marker.
    Runtime.getRuntime().halt(2);
  }
}
