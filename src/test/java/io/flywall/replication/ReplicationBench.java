package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.flywall.bench.LeaseValues;
import io.flywall.state.Change;
import io.flywall.state.Hlc;
import io.flywall.state.WriteOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process half of {@code scripts/bench-replication} (not a test): two nodes in one JVM on
 * loopback running the daemon's own store and stream code. The reference is measured in the same
 * run: the batched local commit rate of one node that does not replicate (the same writers and
 * batches). Then, per channel setting, the replicated rate (writers start to the replica holding
 * the same position and checksum) and its ratio to the reference; lag (commit on the primary to the
 * replica's ack after its own commit) at fixed write rates; the time to snapshot a large store to a
 * fresh replica. Every run starts after a warm-up of the same code.
 *
 * <p>{@code ReplicationBench [SECONDS [SNAPSHOT_ENTRIES [WRITERS [BATCH]]]]}, defaults 5, 1000000,
 * 4, 1000.
 */
public final class ReplicationBench {
  private static final byte[] KEY = "bench-replication-key-0123456789".getBytes(UTF_8);

  private ReplicationBench() {}

  /**
   * Prints the figures. Besides rates, CPU time per change (all threads of this process: both nodes
   * and the writers) is shown: on a machine shared with other work it says what the rate would be
   * with the cores to itself.
   */
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    long snapshotEntries = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    int writers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    System.out.printf(
        Locale.ROOT,
        "flywall replication benchmark, in process (%.0f s per run, %d writers x %d-change"
            + " batches, %,d-entry snapshot, %d cores)%n%n",
        seconds,
        writers,
        batch,
        snapshotEntries,
        Runtime.getRuntime().availableProcessors());

    // Warm-up: the same paths, thrown away, so no measured run pays for the JIT.
    localRate(Math.min(seconds, 3), writers, batch);
    replicated(true, true, Math.min(seconds, 3), writers, batch);

    double local = localRate(seconds, writers, batch);
    double localCpu = localCpuPerChange;
    double localSingle = localRate(seconds, writers * 8, 1);
    System.out.printf(
        Locale.ROOT,
        "reference: batched local commit, one node without replication: %,.0f changes/s"
            + " (%.1f us CPU per change)%n",
        local,
        localCpu);
    System.out.printf(
        Locale.ROOT,
        "           single writes, %d writers, one node (group commit):  %,.0f changes/s%n%n",
        writers * 8,
        localSingle);

    System.out.printf(
        Locale.ROOT,
        "%-10s %-11s %12s %8s %11s %10s %12s%n",
        "encryption",
        "compression",
        "changes/s",
        "ratio",
        "wire B/chg",
        "frames",
        "CPU us/chg");
    for (boolean encryption : new boolean[] {true, false}) {
      for (boolean compression : new boolean[] {true, false}) {
        Throughput run = replicated(encryption, compression, seconds, writers, batch);
        System.out.printf(
            Locale.ROOT,
            "%-10s %-11s %,12.0f %8.2f %11.1f %,10d %12.1f%n",
            encryption ? "on" : "off",
            compression ? "on" : "off",
            run.changesPerSecond,
            run.changesPerSecond / local,
            run.wireBytesPerChange,
            run.frames,
            run.cpuPerChange);
      }
    }

    System.out.printf(
        Locale.ROOT,
        "%nlag, TLS + zstd, single writes from %d writers at a fixed total rate"
            + " (commit on the primary -> ack after the replica's commit):%n",
        32);
    System.out.printf(
        Locale.ROOT, "%10s %11s %9s %9s %9s%n", "rate", "achieved", "lag p50", "lag p99", "max");
    for (int rate : new int[] {1_000, 10_000}) {
      Lag lag = lag(rate, 32, seconds);
      System.out.printf(
          Locale.ROOT,
          "%,8d/s %,9.0f/s %7.2fms %7.2fms %7.2fms%n",
          rate,
          lag.achieved,
          lag.p50,
          lag.p99,
          lag.max);
    }
    System.out.println();
    catchUp(writers, batch);
    System.out.println();
    snapshot(snapshotEntries);
    System.out.printf(
        Locale.ROOT,
        "%nRSS of this JVM (both nodes, the writers and the benchmark): %,d MB%n",
        rssKb() / 1024);
  }

  /** What a writer does with one batch. */
  private interface Sink {
    void write(List<WriteOp> ops) throws Exception;
  }

  /** {@code writers} threads writing {@code batch}-op batches for {@code seconds}; returns ops. */
  private static long drive(Sink sink, int writers, int batch, double seconds) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    AtomicLong next = new AtomicLong();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<Future<?>> jobs = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      jobs.add(
          pool.submit(
              () -> {
                while (System.nanoTime() < end) {
                  sink.write(LeaseValues.puts(next.getAndAdd(batch), batch));
                }
                return null;
              }));
    }
    for (Future<?> job : jobs) {
      job.get();
    }
    pool.shutdown();
    return next.get();
  }

  /** CPU time of this whole process so far, in microseconds (all threads, both nodes). */
  private static long cpuMicros() {
    return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime()
        / 1_000;
  }

  private static double localCpuPerChange;

  private static double localRate(double seconds, int writers, int batch) throws Exception {
    try (ReplicationNode alone =
        ReplicationNode.fresh("bench-local", KEY, new ReplicationNode.Options())) {
      alone.lead(1);
      long cpu = cpuMicros();
      long start = System.nanoTime();
      long n = drive(alone.store::write, writers, batch, seconds);
      double rate = n / ((System.nanoTime() - start) / 1e9);
      localCpuPerChange = (cpuMicros() - cpu) / (double) n;
      return rate;
    }
  }

  /** One measured throughput run. */
  private record Throughput(
      double changesPerSecond, double wireBytesPerChange, long frames, double cpuPerChange) {}

  private static Throughput replicated(
      boolean encryption, boolean compression, double seconds, int writers, int batch)
      throws Exception {
    var options = new ReplicationNode.Options().encryption(encryption).compression(compression);
    try (ReplicationNode a = ReplicationNode.fresh("bench-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("bench-b", KEY, options)) {
      a.lead(1);
      b.follow(a);
      waitUntil(() -> b.replication.status().syncState().equals("in_sync"), 30);
      long startPosition = b.store.position();
      long bytesBefore = (long) a.replication.stats().get("bytes_sent");
      long cpu = cpuMicros();
      long start = System.nanoTime();
      drive(a.replication::write, writers, batch, seconds);
      long head = a.store.position();
      waitUntil(() -> b.store.position() >= head && b.store.checksum() == a.store.checksum(), 300);
      double elapsed = (System.nanoTime() - start) / 1e9;
      Map<String, Object> stats = a.replication.stats();
      long changes = b.store.position() - startPosition;
      return new Throughput(
          changes / elapsed,
          ((long) stats.get("bytes_sent") - bytesBefore) / (double) changes,
          (long) stats.get("batches_sent"),
          (cpuMicros() - cpu) / (double) changes);
    }
  }

  /** Lag percentiles (ms) of one fixed-rate run. */
  private record Lag(double achieved, double p50, double p99, double max) {}

  @SuppressWarnings("unchecked")
  private static Lag lag(int rate, int writers, double seconds) throws Exception {
    var options = new ReplicationNode.Options();
    try (ReplicationNode a = ReplicationNode.fresh("bench-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("bench-b", KEY, options)) {
      a.lead(1);
      b.follow(a);
      waitUntil(() -> b.replication.status().syncState().equals("in_sync"), 30);
      long total = (long) (rate * seconds);
      AtomicLong next = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      long start = System.nanoTime();
      List<Future<?>> jobs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        jobs.add(
            pool.submit(
                () -> {
                  for (long n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                    long due = start + (long) (n * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    a.replication.put(
                        "dhcp_leases",
                        "lease-" + n,
                        LeaseValues.of(n).getBytes(UTF_8),
                        Optional.empty());
                  }
                  return null;
                }));
      }
      for (Future<?> job : jobs) {
        job.get();
      }
      pool.shutdown();
      double achieved = total / ((System.nanoTime() - start) / 1e9);
      long head = a.store.position();
      waitUntil(() -> b.store.position() >= head, 120);
      // The last acks arrive after the replica's commit: wait for the ledger to see them.
      waitUntil(() -> a.replication.status().peers().get(0).ackedPosition() >= head, 30);
      Map<String, Object> lag =
          (Map<String, Object>) a.replication.stats().get("replication_lag_ms");
      return new Lag(
          achieved,
          (double) lag.getOrDefault("p50", 0.0),
          (double) lag.getOrDefault("p99", 0.0),
          (double) lag.getOrDefault("max", 0.0));
    }
  }

  /**
   * A replica away while the writers write at full speed (a restart, a cut link), then back: how
   * far behind it is, whether the primary serves it from the log or has to send a snapshot, and how
   * soon after the writers stop it has caught up. The log holds 2,000,000 changes here (200,000 by
   * default), so what is measured is the sender's way through the log, not retention: with the
   * default, a replica away 1.5 s at 100,000 changes/s comes back past the log's start.
   */
  private static void catchUp(int writers, int batch) throws Exception {
    double seconds = 10;
    long awayMillis = 1_500;
    var options =
        new ReplicationNode.Options()
            .retention(new io.flywall.state.LogRetention(2_000_000, 1L << 30));
    try (ReplicationNode a = ReplicationNode.fresh("bench-a", KEY, options)) {
      a.lead(1);
      ReplicationNode b = ReplicationNode.fresh("bench-b", KEY, options);
      b.follow(a);
      waitUntil(() -> b.replication.status().syncState().equals("in_sync"), 30);
      long snapshotsBefore = (long) a.replication.stats().get("snapshots_sent");
      ExecutorService driver = Executors.newSingleThreadExecutor();
      Future<Long> writing =
          driver.submit(() -> drive(a.replication::write, writers, batch, seconds));
      Thread.sleep(2_000);
      b.stop();
      long left = a.store.position();
      Thread.sleep(awayMillis);
      try (ReplicationNode back = new ReplicationNode("bench-b", b.dir, KEY, options)) {
        long behind = a.store.position() - left;
        back.follow(a);
        long written = writing.get();
        driver.shutdown();
        long stopped = System.nanoTime();
        long head = a.store.position();
        long behindAtEnd = head - back.store.position();
        waitUntil(
            () -> back.store.position() >= head && back.store.checksum() == a.store.checksum(),
            300);
        Map<String, Object> sent = a.replication.stats();
        System.out.printf(
            Locale.ROOT,
            "catch-up, TLS + zstd: a replica away %.1f s while %d writers write for %.0f s (%,.0f"
                + " changes/s): %,d changes behind on its return, %,d when the writers stop, caught"
                + " up %.2f s after them; snapshots sent %s, changes sent from the log %,d%n",
            awayMillis / 1000.0,
            writers,
            seconds,
            written / seconds,
            behind,
            behindAtEnd,
            (System.nanoTime() - stopped) / 1e9,
            (long) sent.get("snapshots_sent") - snapshotsBefore,
            (long) sent.get("changes_sent_from_log"));
      }
    }
  }

  private static void snapshot(long entries) throws Exception {
    try (ReplicationNode a = ReplicationNode.fresh("bench-a", KEY, new ReplicationNode.Options());
        ReplicationNode b = ReplicationNode.fresh("bench-b", KEY, new ReplicationNode.Options())) {
      long loadStart = System.nanoTime();
      long seq = 0;
      while (seq < entries) {
        List<Change> batch = new ArrayList<>();
        for (int i = 0; i < 20_000 && seq < entries; i++) {
          seq++;
          batch.add(
              new Change(
                  seq,
                  1,
                  "dhcp_leases",
                  "lease-" + seq,
                  LeaseValues.of(seq).getBytes(UTF_8),
                  1,
                  Hlc.of(1_700_000_000_000L + seq, 0),
                  "bench-a",
                  0));
        }
        a.store.apply(batch);
      }
      System.out.printf(
          Locale.ROOT,
          "loaded %,d entries on the primary in %.1f s (applied in 20,000-change transactions)%n",
          entries,
          (System.nanoTime() - loadStart) / 1e9);
      a.lead(1);
      Runtime runtime = Runtime.getRuntime();
      System.gc();
      long heapBefore = runtime.totalMemory() - runtime.freeMemory();
      long cpu = cpuMicros();
      long start = System.nanoTime();
      b.follow(a);
      long[] peakHeap = {heapBefore};
      waitUntil(
          () -> {
            peakHeap[0] = Math.max(peakHeap[0], runtime.totalMemory() - runtime.freeMemory());
            return b.store.position() == a.store.position()
                && b.store.checksum() == a.store.checksum();
          },
          600);
      double took = (System.nanoTime() - start) / 1e9;
      Map<String, Object> stats = a.replication.stats();
      System.out.printf(
          Locale.ROOT,
          "snapshot of %,d entries to a fresh replica (TLS + zstd): %.2f s (%,.0f entries/s,"
              + " %.1f s CPU), %,d bytes on the wire (%.1f B/entry), heap growth during it %,d MB%n",
          entries,
          took,
          entries / took,
          (cpuMicros() - cpu) / 1e6,
          (long) stats.get("bytes_sent"),
          (long) stats.get("bytes_sent") / (double) entries,
          (peakHeap[0] - heapBefore) / (1024 * 1024));
    }
  }

  /** Resident memory of this process, from /proc. */
  static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }

  /** A condition that may throw, checked until true. */
  private interface Check {
    boolean ok() throws Exception;
  }

  private static void waitUntil(Check check, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("benchmark condition not reached within " + seconds + " s");
      }
      Thread.sleep(2);
    }
  }
}
