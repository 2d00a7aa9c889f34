package io.flywall.state;

import io.flywall.bench.LeaseValues;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.sqlite.SQLiteConfig;

/**
 * What one change costs in the store's batched commit against plain batched SQLite inserts of the
 * same bytes, measured in the same run (a benchmark, not a test). One writer, batches of BATCH
 * changes per transaction, WAL with synchronous=FULL everywhere; keys and values are the
 * replication benchmark's (DHCP leases, about 70-byte JSON values, keys cycling over 2,000,000).
 *
 * <p>Printed per variant: changes/s, CPU µs per change of the writing thread (Java and SQLite both
 * run on it), WAL frames per commit, pages per change, and the cost of checkpointing the WAL
 * (measured by committing with wal_autocheckpoint off, then one timed checkpoint). Then the Java
 * side's share: the checksum digests a change costs.
 *
 * <p>{@code StoreWriteBench [CHANGES [BATCH [store|renew|steps]]]}, defaults 400000 and 1000.
 * {@code store}: the store alone, new keys (for a profile of it); {@code renew}: the store alone,
 * every measured write replacing an existing lease (100,000 of them, written before the clock
 * starts), what a DHCP server's renewals do; {@code apply}: a replica's {@link StateStore#apply} of
 * the changes a primary wrote (fresh keys), one batch per transaction. State goes to TMPDIR.
 */
public final class StoreWriteBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Leases the renewal variant writes before measuring, then renews. */
  private static final long RENEWED_LEASES = 100_000;

  private StoreWriteBench() {}

  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 400_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    // "store" measures only the store (for a profile of it alone).
    boolean storeOnly = args.length > 2 && args[2].equals("store");
    boolean renew = args.length > 2 && args[2].equals("renew");
    boolean apply = args.length > 2 && args[2].equals("apply");
    System.out.printf(
        Locale.ROOT,
        "store write path: %,d changes in batches of %,d, one writer, WAL synchronous=FULL%n%n",
        changes,
        batch);
    // Warm-up of every variant (JIT), then the measured round.
    for (int round = 0; round < 2; round++) {
      boolean measured = round == 1;
      int n = measured ? changes : Math.min(changes, 100_000);
      if (storeOnly) {
        report(measured, store(n, batch, true));
        continue;
      }
      if (renew) {
        report(measured, store(n, batch, true, RENEWED_LEASES));
        continue;
      }
      if (apply) {
        report(measured, apply(n, batch));
        continue;
      }
      if (args.length > 2 && args[2].equals("steps")) {
        // The store's statements one step at a time: where between plain and the store it goes.
        for (Variant v : Variant.STEPS) {
          report(measured, steps(n, batch, v));
        }
        report(measured, store(n, batch, true));
        continue;
      }
      report(measured, plain(n, batch, false, true));
      report(measured, plain(n, batch, true, true));
      report(measured, store(n, batch, true));
      report(measured, plain(n, batch, false, false));
      report(measured, plain(n, batch, true, false));
      report(measured, store(n, batch, false));
      if (measured) {
        System.out.println();
      }
    }
    javaShare(changes);
  }

  /** One variant's figures. */
  private record Run(
      String name,
      int changes,
      double seconds,
      double cpuMicros,
      long commits,
      long walFrames,
      int pageSize,
      double checkpointMicros,
      long dbPages) {}

  private static void report(boolean measured, Run r) {
    if (!measured) {
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "%-44s %9.0f changes/s  CPU %5.2f µs/change  WAL %5.1f frames/commit (%4.3f pages/change,"
            + " page %d B)  checkpoint %5.2f µs/change  db %,d pages%n",
        r.name(),
        r.changes() / r.seconds(),
        r.cpuMicros() / r.changes(),
        r.walFrames() / (double) r.commits(),
        r.walFrames() / (double) r.changes(),
        r.pageSize(),
        r.checkpointMicros() / r.changes(),
        r.dbPages());
  }

  /**
   * Plain SQLite: each change one upsert into a WITHOUT ROWID (bucket, key) table, and with {@code
   * withLog} one more row in an append-only rowid table (what a change log costs at the least).
   * With {@code autocheckpoint} off the WAL grows and is checkpointed once, timed, at the end.
   */
  private static Run plain(int changes, int batch, boolean withLog, boolean autocheckpoint)
      throws Exception {
    Path dir = Files.createTempDirectory("flywall-storebench-");
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:sqlite:" + dir.resolve("plain.db"), config.toProperties())) {
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE entries (bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB,"
                + " PRIMARY KEY (bucket, key)) WITHOUT ROWID");
        st.execute(
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY, bucket TEXT NOT NULL,"
                + " key TEXT NOT NULL, value BLOB)");
        if (!autocheckpoint) {
          st.execute("PRAGMA wal_autocheckpoint = 0");
        }
      }
      RowBatches.Shapes entry =
          new RowBatches.Shapes(
              "INSERT OR REPLACE INTO entries(bucket, key, value) VALUES ", "(?, ?, ?)", "");
      RowBatches.Shapes log =
          new RowBatches.Shapes(
              "INSERT INTO changes(seq, bucket, key, value) VALUES ", "(?, ?, ?, ?)", "");
      // Prepared once per shape and reused, as the store does.
      java.util.Map<Integer, PreparedStatement> entries = new java.util.HashMap<>();
      java.util.Map<Integer, PreparedStatement> logs = new java.util.HashMap<>();
      c.setAutoCommit(false);
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long seq = 0;
      long commits = 0;
      for (long first = 0; first < changes; first += batch) {
        List<WriteOp> ops = LeaseValues.puts(first, batch);
        int next = 0;
        for (int size : RowBatches.sizes(ops.size())) {
          PreparedStatement st = entries.get(size);
          if (st == null) {
            st = c.prepareStatement(entry.sql(size));
            entries.put(size, st);
          }
          PreparedStatement lst = withLog ? logs.get(size) : null;
          if (withLog && lst == null) {
            lst = c.prepareStatement(log.sql(size));
            logs.put(size, lst);
          }
          int p = 1;
          int q = 1;
          for (int i = 0; i < size; i++) {
            WriteOp op = ops.get(next++);
            st.setString(p++, op.bucket());
            st.setString(p++, op.key());
            st.setBytes(p++, op.value());
            if (lst != null) {
              lst.setLong(q++, ++seq);
              lst.setString(q++, op.bucket());
              lst.setString(q++, op.key());
              lst.setBytes(q++, op.value());
            }
          }
          st.executeUpdate();
          if (lst != null) {
            lst.executeUpdate();
          }
        }
        c.commit();
        commits++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3;
      c.setAutoCommit(true);
      for (PreparedStatement st : entries.values()) {
        st.close();
      }
      for (PreparedStatement st : logs.values()) {
        st.close();
      }
      long[] wal = walAndCheckpoint(c, dir.resolve("plain.db-wal"), autocheckpoint);
      String name =
          (withLog ? "plain upsert + log row" : "plain upsert")
              + (autocheckpoint ? "" : ", checkpoint at end");
      return new Run(
          name,
          changes,
          seconds,
          cpuMicros,
          commits,
          autocheckpoint ? wal[2] : wal[0],
          (int) wal[1],
          autocheckpoint ? 0 : wal[3] / 1e3,
          wal[4]);
    } finally {
      delete(dir);
    }
  }

  /** SQL the steps variants run: the store's tables and statements, added one at a time. */
  private record Variant(
      String name,
      String entries,
      String index,
      String upsert,
      boolean read,
      boolean log,
      String pragma) {
    Variant(String name, String entries, String index, String upsert, boolean read, boolean log) {
      this(name, entries, index, upsert, read, log, null);
    }

    static final String FULL =
        "CREATE TABLE entries (bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB,"
            + " version INTEGER NOT NULL, hlc INTEGER NOT NULL, origin TEXT NOT NULL,"
            + " expires_ms INTEGER NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID";
    static final String REPLACE = "INSERT OR REPLACE INTO entries VALUES ";
    static final String INDEX =
        "CREATE INDEX entries_expiry ON entries(expires_ms) WHERE expires_ms > 0";
    static final List<Variant> STEPS =
        List.of(
            new Variant("entries row (7 columns)", FULL, null, REPLACE, false, false),
            new Variant("+ expiry index", FULL, INDEX, REPLACE, false, false),
            new Variant("+ read of the touched rows", FULL, INDEX, REPLACE, true, false),
            new Variant("+ log row (9 columns)", FULL, INDEX, REPLACE, true, true),
            new Variant(
                "  the same, page_size 8192", FULL, INDEX, REPLACE, true, true, "page_size = 8192"),
            new Variant(
                "  the same, page_size 16384",
                FULL,
                INDEX,
                REPLACE,
                true,
                true,
                "page_size = 16384"),
            new Variant(
                "  the same, cache_size 32 MiB",
                FULL,
                INDEX,
                REPLACE,
                true,
                true,
                "cache_size = -32768"),
            new Variant(
                "  the same, upsert by ON CONFLICT",
                FULL,
                INDEX,
                "INSERT INTO entries VALUES ",
                true,
                true,
                null));
  }

  private static Run steps(int changes, int batch, Variant v) throws Exception {
    Path dir = Files.createTempDirectory("flywall-storebench-");
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setGetGeneratedKeys(false);
    // A page size takes effect only in a database that has no page yet and is not in WAL mode:
    // set it, and write the first page, on a connection of its own.
    if (v.pragma() != null && v.pragma().startsWith("page_size")) {
      try (Connection first =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("steps.db"));
          Statement st = first.createStatement()) {
        st.execute("PRAGMA " + v.pragma());
        st.execute("VACUUM");
      }
    }
    try (Connection c =
        DriverManager.getConnection(
            "jdbc:sqlite:" + dir.resolve("steps.db"), config.toProperties())) {
      try (Statement st = c.createStatement()) {
        if (v.pragma() != null && !v.pragma().startsWith("page_size")) {
          st.execute("PRAGMA " + v.pragma());
        }
        st.execute(v.entries());
        if (v.index() != null) {
          st.execute(v.index());
        }
        st.execute(
            "CREATE TABLE changes (seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL,"
                + " bucket TEXT NOT NULL, key TEXT NOT NULL, value BLOB, version INTEGER NOT NULL,"
                + " hlc INTEGER NOT NULL, origin TEXT NOT NULL, expires_ms INTEGER NOT NULL)");
      }
      RowBatches.Shapes upsert =
          new RowBatches.Shapes(
              v.upsert(),
              "(?, ?, ?, ?, ?, ?, ?)",
              v.upsert().startsWith("INSERT INTO")
                  ? " ON CONFLICT(bucket, key) DO UPDATE SET value = excluded.value,"
                      + " version = excluded.version, hlc = excluded.hlc,"
                      + " origin = excluded.origin, expires_ms = excluded.expires_ms"
                  : "");
      RowBatches.Shapes log =
          new RowBatches.Shapes("INSERT INTO changes VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "");
      RowBatches.Shapes read =
          new RowBatches.Shapes(
              "SELECT * FROM entries WHERE (bucket, key) IN (VALUES ", "(?, ?)", ")");
      java.util.Map<String, PreparedStatement> prepared = new java.util.HashMap<>();
      c.setAutoCommit(false);
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long seq = 0;
      long commits = 0;
      long hlc = 1L << 30;
      for (long first = 0; first < changes; first += batch) {
        List<WriteOp> ops = LeaseValues.puts(first, batch);
        if (v.read()) {
          int next = 0;
          for (int size : RowBatches.sizes(ops.size())) {
            PreparedStatement st = prepared.computeIfAbsent(read.sql(size), sql -> prepare(c, sql));
            int p = 1;
            for (int i = 0; i < size; i++) {
              WriteOp op = ops.get(next++);
              st.setString(p++, op.bucket());
              st.setString(p++, op.key());
            }
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                rs.getBytes(3);
              }
            }
          }
        }
        int next = 0;
        for (int size : RowBatches.sizes(ops.size())) {
          PreparedStatement st = prepared.computeIfAbsent(upsert.sql(size), sql -> prepare(c, sql));
          PreparedStatement lst =
              v.log() ? prepared.computeIfAbsent(log.sql(size), sql -> prepare(c, sql)) : null;
          int p = 1;
          int q = 1;
          for (int i = 0; i < size; i++) {
            WriteOp op = ops.get(next++);
            hlc++;
            st.setString(p++, op.bucket());
            st.setString(p++, op.key());
            st.setBytes(p++, op.value());
            st.setLong(p++, 1);
            st.setLong(p++, hlc);
            st.setString(p++, "bench");
            st.setLong(p++, 0);
            if (lst != null) {
              lst.setLong(q++, ++seq);
              lst.setLong(q++, 1);
              lst.setString(q++, op.bucket());
              lst.setString(q++, op.key());
              lst.setBytes(q++, op.value());
              lst.setLong(q++, 1);
              lst.setLong(q++, hlc);
              lst.setString(q++, "bench");
              lst.setLong(q++, 0);
            }
          }
          st.executeUpdate();
          if (lst != null) {
            lst.executeUpdate();
          }
        }
        c.commit();
        commits++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3;
      c.setAutoCommit(true);
      for (PreparedStatement st : prepared.values()) {
        st.close();
      }
      long[] wal = walAndCheckpoint(c, dir.resolve("steps.db-wal"), true);
      return new Run(
          v.name(), changes, seconds, cpuMicros, commits, wal[2], (int) wal[1], 0, wal[4]);
    } finally {
      delete(dir);
    }
  }

  private static PreparedStatement prepare(Connection c, String sql) {
    try {
      return c.prepareStatement(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The store itself: {@link StateStore#write} of the same batches, one writer. */
  private static Run store(int changes, int batch, boolean autocheckpoint) throws Exception {
    return store(changes, batch, autocheckpoint, 0);
  }

  /** With {@code renewed} > 0: that many leases written first, unmeasured, then renewed. */
  private static Run store(int changes, int batch, boolean autocheckpoint, long renewed)
      throws Exception {
    Path dir = Files.createTempDirectory("flywall-storebench-");
    try (StateDatabase db = StateDatabase.open(dir)) {
      StateStore store = StateStore.open(db, "bench", Clock.systemUTC(), LogRetention.DEFAULT);
      store.acceptWrites(1);
      for (long first = 0; first < renewed; first += batch) {
        store.write(LeaseValues.puts(first, (int) Math.min(batch, renewed - first), renewed));
      }
      String pragma =
          autocheckpoint ? System.getProperty("bench.pragma") : "wal_autocheckpoint = 0";
      if (pragma != null) {
        db.withConnection(
            c -> {
              try (Statement st = c.createStatement()) {
                st.execute("PRAGMA " + pragma);
              }
              return null;
            });
      }
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      long commits = 0;
      for (long first = 0; first < changes; first += batch) {
        store.write(
            renewed > 0 ? LeaseValues.puts(first, batch, renewed) : LeaseValues.puts(first, batch));
        commits++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3;
      long[] wal =
          db.withConnection(c -> walAndCheckpoint(c, dir.resolve("state.db-wal"), autocheckpoint));
      return new Run(
          "StateStore.write"
              + (renewed > 0 ? ", renewals" : "")
              + (autocheckpoint ? "" : ", checkpoint at end"),
          changes,
          seconds,
          cpuMicros,
          commits,
          autocheckpoint ? wal[2] : wal[0],
          (int) wal[1],
          autocheckpoint ? 0 : wal[3] / 1e3,
          wal[4]);
    } finally {
      delete(dir);
    }
  }

  /**
   * A replica's apply: a primary store writes the changes first (unmeasured), then a second store
   * applies them from the primary's log in batches of {@code batch}, one transaction each.
   */
  private static Run apply(int changes, int batch) throws Exception {
    Path dir = Files.createTempDirectory("flywall-storebench-");
    try (StateDatabase primaryDb = StateDatabase.open(dir.resolve("primary"));
        StateDatabase replicaDb = StateDatabase.open(dir.resolve("replica"))) {
      // The primary keeps its whole log, so every change can be read back from it.
      StateStore primary =
          StateStore.open(
              primaryDb,
              "primary",
              Clock.systemUTC(),
              new LogRetention(Long.MAX_VALUE, Long.MAX_VALUE));
      primary.acceptWrites(1);
      for (long first = 0; first < changes; first += batch) {
        primary.write(LeaseValues.puts(first, batch));
      }
      List<List<Change>> batches = new java.util.ArrayList<>();
      for (long after = 0; after < primary.position(); ) {
        List<Change> next = primary.changesAfter(after, batch).orElseThrow();
        batches.add(next);
        after = next.get(next.size() - 1).seq();
      }
      StateStore replica =
          StateStore.open(replicaDb, "replica", Clock.systemUTC(), LogRetention.DEFAULT);
      long cpu = THREADS.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (List<Change> next : batches) {
        replica.apply(next);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3;
      if (replica.checksum() != primary.checksum()) {
        throw new IllegalStateException("the replica's checksum differs from the primary's");
      }
      long[] wal =
          replicaDb.withConnection(
              c -> walAndCheckpoint(c, dir.resolve("replica").resolve("state.db-wal"), true));
      return new Run(
          "StateStore.apply",
          changes,
          seconds,
          cpuMicros,
          batches.size(),
          wal[2],
          (int) wal[1],
          0,
          wal[4]);
    } finally {
      delete(dir);
    }
  }

  /**
   * WAL frames written (from the WAL's size, when nothing checkpointed it), page size, -1 (frames
   * unknown with autocheckpoint on), checkpoint nanoseconds, database pages after the checkpoint.
   */
  private static long[] walAndCheckpoint(Connection c, Path wal, boolean autocheckpoint)
      throws SQLException {
    long pageSize = pragma(c, "page_size");
    long frames = -1;
    try {
      frames = (Files.size(wal) - 32) / (pageSize + 24);
    } catch (java.io.IOException e) {
      frames = -1;
    }
    long start = System.nanoTime();
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    long checkpoint = System.nanoTime() - start;
    return new long[] {frames, pageSize, -1, checkpoint, pragma(c, "page_count")};
  }

  private static long pragma(Connection c, String name) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /** The Java side's per-change work that SQLite does not do: the checksum digests. */
  private static void javaShare(int changes) {
    List<WriteOp> ops = LeaseValues.puts(0, changes);
    long sink = 0;
    for (int round = 0; round < 2; round++) {
      long cpu = THREADS.getCurrentThreadCpuTime();
      for (WriteOp op : ops) {
        sink ^= StateChecksum.digest(op.bucket(), op.key(), op.value(), 1, 1L << 20, "bench", 0);
      }
      if (round == 1) {
        System.out.printf(
            Locale.ROOT,
            "one checksum digest (SHA-256 of a change's fields): %.2f µs; a write computes two"
                + " (the old row's and the new) (%d)%n",
            (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / changes,
            sink & 1);
      }
    }
  }

  private static void delete(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
