package io.flywall.state;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * Opens {@code state.db} in WAL mode with full fsync and brings its schema up to date. One
 * connection, used under this object's lock: the daemon's writes are few and small.
 */
public final class StateDatabase implements AutoCloseable {
  public static final String FILE_NAME = "state.db";

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS node_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """
    CREATE TABLE IF NOT EXISTS history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time_ms INTEGER NOT NULL,
      type TEXT NOT NULL,
      from_role TEXT NOT NULL,
      to_role TEXT NOT NULL,
      node_id TEXT NOT NULL,
      epoch INTEGER NOT NULL,
      cause TEXT NOT NULL,
      duration_ms INTEGER NOT NULL,
      steps TEXT NOT NULL)
    """,
    // A NULL value is a tombstone: kept so a late, older write of the key cannot resurrect it.
    """
    CREATE TABLE IF NOT EXISTS entries (
      bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB, version INTEGER NOT NULL,
      hlc INTEGER NOT NULL, origin TEXT NOT NULL, expires_ms INTEGER NOT NULL,
      PRIMARY KEY (bucket, key)) WITHOUT ROWID
    """,
    "CREATE INDEX IF NOT EXISTS entries_expiry ON entries(expires_ms) WHERE expires_ms > 0",
    """
    CREATE TABLE IF NOT EXISTS changes (
      seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,
      value BLOB, version INTEGER NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
      expires_ms INTEGER NOT NULL)
    """,
    "CREATE INDEX IF NOT EXISTS changes_epoch ON changes(epoch, seq)",
    """
    CREATE TABLE IF NOT EXISTS conflicts (
      id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, bucket TEXT NOT NULL,
      key TEXT NOT NULL, winner_hlc INTEGER NOT NULL, winner_origin TEXT NOT NULL,
      loser_hlc INTEGER NOT NULL, loser_origin TEXT NOT NULL, loser_value BLOB)
    """,
    """
    CREATE TABLE IF NOT EXISTS snapshot_staging (
      bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB, version INTEGER NOT NULL,
      hlc INTEGER NOT NULL, origin TEXT NOT NULL, expires_ms INTEGER NOT NULL,
      PRIMARY KEY (bucket, key)) WITHOUT ROWID
    """,
  };

  private final Path file;
  private final Connection connection;

  private StateDatabase(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * Opens (creating if needed) the database in {@code stateDir}. The directory is made 0700 and the
   * database files 0600 whatever the umask: they hold every replicated value and the history.
   */
  public static StateDatabase open(Path stateDir) throws StateStoreException {
    Path file = stateDir.resolve(FILE_NAME);
    try {
      PrivateFiles.directory(stateDir);
      PrivateFiles.file(file);
    } catch (IOException e) {
      throw new StateStoreException(
          "cannot prepare state_dir "
              + stateDir
              + ": "
              + e.getMessage()
              + " (check state_dir in the config and that this user may write there)",
          e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL: a committed epoch survives power loss; the epoch is what fences an old primary.
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(5_000);
    try {
      Connection connection =
          DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      try (Statement st = connection.createStatement()) {
        for (String ddl : SCHEMA) {
          st.execute(ddl);
        }
      }
      // SQLite gives its -wal and -shm files the database file's mode; narrowed here in case an
      // older version left them wider.
      PrivateFiles.narrowIfPresent(stateDir.resolve(FILE_NAME + "-wal"));
      PrivateFiles.narrowIfPresent(stateDir.resolve(FILE_NAME + "-shm"));
      return new StateDatabase(file, connection);
    } catch (SQLException e) {
      throw new StateStoreException("cannot open " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StateStoreException("cannot restrict " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A second, read-only connection for long reads (a snapshot): in WAL mode it sees one consistent
   * state while writes go on through the main connection. The caller closes it.
   */
  public Connection openReader() throws StateStoreException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5_000);
    try {
      return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    } catch (SQLException e) {
      throw new StateStoreException("cannot open a reader on " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** Runs {@code work} with exclusive use of the connection. */
  public synchronized <T> T withConnection(SqlWork<T> work) throws StateStoreException {
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StateStoreException("state database " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing is best effort: WAL recovery makes an unclean close safe.
    }
  }

  /** A unit of work on the connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }
}
