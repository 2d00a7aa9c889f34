package io.flywall.state;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * Opens {@code state.db} in WAL mode with full fsync and brings its schema up to date. One
 * connection, used under this object's lock; writers batch their work into few transactions (see
 * {@link GroupCommit}), so one connection is not the bottleneck, the fsync is.
 */
public final class StateDatabase implements AutoCloseable {
  public static final String FILE_NAME = "state.db";

  /**
   * The schema this code writes, kept in {@code PRAGMA user_version}. 1 (recorded as 0 by the
   * versions that did not record it): entries without their digest. 2: every entry row holds its
   * checksum digest, so a write learns what it removes from the checksum without reading (or
   * hashing) the old value.
   */
  static final int SCHEMA_VERSION = 2;

  /** The staging table's definition: exactly that of {@code entries}, so it can replace it. */
  static final String STAGING_TABLE =
      """
      CREATE TABLE IF NOT EXISTS snapshot_staging (
        bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB, version INTEGER NOT NULL,
        hlc INTEGER NOT NULL, origin TEXT NOT NULL, expires_ms INTEGER NOT NULL, digest INTEGER,
        PRIMARY KEY (bucket, key)) WITHOUT ROWID
      """;

  static final String EXPIRY_INDEX =
      "CREATE INDEX IF NOT EXISTS entries_expiry ON entries(expires_ms) WHERE expires_ms > 0";

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
    // digest is the row's share of the checksum (0 for a tombstone); last, where ALTER TABLE puts
    // it in a database of schema 1, so both have the staging table's column order.
    """
    CREATE TABLE IF NOT EXISTS entries (
      bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB, version INTEGER NOT NULL,
      hlc INTEGER NOT NULL, origin TEXT NOT NULL, expires_ms INTEGER NOT NULL, digest INTEGER,
      PRIMARY KEY (bucket, key)) WITHOUT ROWID
    """,
    EXPIRY_INDEX,
    """
    CREATE TABLE IF NOT EXISTS changes (
      seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,
      value BLOB, version INTEGER NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,
      expires_ms INTEGER NOT NULL)
    """,
    // No index on the log's epochs: keeping it up cost more per write than the rare scan it
    // saves (finding where a replica's epoch ended, once per reconnect after a failover).
    "DROP INDEX IF EXISTS changes_epoch",
    """
    CREATE TABLE IF NOT EXISTS conflicts (
      id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, bucket TEXT NOT NULL,
      key TEXT NOT NULL, winner_hlc INTEGER NOT NULL, winner_origin TEXT NOT NULL,
      loser_hlc INTEGER NOT NULL, loser_origin TEXT NOT NULL, loser_value BLOB)
    """,
    STAGING_TABLE,
  };

  private final Path file;
  private final Connection connection;
  // Statements prepared once and reused: preparing is a large part of a small write's cost.
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private boolean transactionOpen;

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
    // Off: otherwise the driver runs a "SELECT last_insert_rowid()" after every insert, a second
    // statement per multi-row insert of the write path (History uses RETURNING instead).
    config.setGetGeneratedKeys(false);
    try {
      Connection connection =
          DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
      try (Statement st = connection.createStatement()) {
        for (String ddl : SCHEMA) {
          st.execute(ddl);
        }
        SchemaMigration.toCurrent(connection, file);
      } catch (SQLException e) {
        connection.close();
        throw e;
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

  /**
   * The statement for {@code sql} on the connection, prepared at its first use and reused after.
   * Only while holding the connection ({@link #withConnection}); a caller closes the result sets it
   * opens, never the statement.
   */
  synchronized PreparedStatement prepared(String sql) throws SQLException {
    PreparedStatement st = statements.get(sql);
    if (st == null || st.isClosed()) {
      st = connection.prepareStatement(sql);
      statements.put(sql, st);
    }
    return st;
  }

  /**
   * Runs {@code work} in a transaction on the connection (the caller holds it): commits when {@code
   * work} returns (unless it committed itself with {@link #commit}), rolls back when it throws.
   */
  // Through the driver's own transaction mode: in its autocommit mode the driver runs an extra
  // BEGIN (and COMMIT) after every statement, which costs as much as a small insert.
  <T> T inTransaction(TxWork<T> work) throws SQLException {
    connection.setAutoCommit(false);
    transactionOpen = true;
    try {
      T result = work.run();
      commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      // A statement that failed midway can be left unusable (and holding the transaction):
      // finalize them all, they are prepared again at their next use.
      forgetStatements();
      if (transactionOpen) {
        transactionOpen = false;
        try {
          connection.rollback();
        } catch (SQLException suppressed) {
          // SQLite may already have rolled back by itself (a full disk does that).
          if (!String.valueOf(suppressed.getMessage()).contains("no transaction is active")) {
            e.addSuppressed(suppressed);
          }
        }
      }
      throw e;
    } finally {
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // Only ends the empty transaction the driver began after the commit or rollback.
      }
    }
  }

  private void forgetStatements() {
    for (PreparedStatement st : statements.values()) {
      try {
        st.close();
      } catch (SQLException ignored) {
        // Finalizing a statement that already failed: nothing more to learn from it.
      }
    }
    statements.clear();
  }

  /**
   * Runs {@code work} in a transaction committed without waiting for the disk (staging a snapshot:
   * rows that a crash would throw away anyway). The next ordinary commit makes them durable too.
   */
  <T> T withoutFsync(TxWork<T> work) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.executeUpdate("PRAGMA synchronous = NORMAL");
    }
    try {
      return inTransaction(work);
    } finally {
      try (Statement st = connection.createStatement()) {
        st.executeUpdate("PRAGMA synchronous = FULL");
      }
    }
  }

  /** Commits the transaction {@link #inTransaction} opened, if still open. */
  void commit() throws SQLException {
    if (transactionOpen) {
      connection.commit();
      transactionOpen = false;
    }
  }

  /** Work inside a transaction on a connection the caller already holds. */
  @FunctionalInterface
  interface TxWork<T> {
    T run() throws SQLException;
  }

  @Override
  public synchronized void close() {
    try {
      forgetStatements();
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
