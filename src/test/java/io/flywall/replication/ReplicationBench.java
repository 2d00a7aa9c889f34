package io.flywall.replication;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.flywall.state.Change;
import io.flywall.state.Hlc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The replication benchmark behind {@code scripts/bench-replication} (not a test): two nodes in one
 * JVM on loopback, the same stream code the daemon runs. Reports the local SQLite commit rate as
 * the reference, then for each channel setting and write rate the changes/s replicated, lag p50/p99
 * (commit on the primary to ack from the replica) and bytes on the wire per change; finally the
 * time to snapshot 1,000,000 entries to a fresh replica.
 */
public final class ReplicationBench {
  private static final byte[] KEY = "bench-replication-key-0123456789".getBytes(UTF_8);

  private ReplicationBench() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    long snapshotEntries = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    System.out.printf(
        "flywall replication benchmark (%.0f s per run, %,d-entry snapshot)%n%n",
        seconds, snapshotEntries);

    double commitRate = localCommitRate(seconds);
    System.out.printf(
        "reference: local SQLite commit rate (WAL, synchronous=FULL, one write per commit): %.0f commits/s%n%n",
        commitRate);

    System.out.printf(
        "%-10s %-11s %9s %11s %9s %9s %9s %11s %7s%n",
        "encryption",
        "compression",
        "rate",
        "changes/s",
        "lag p50",
        "lag p99",
        "lag max",
        "wire B/chg",
        "ratio");
    for (boolean encryption : new boolean[] {true, false}) {
      for (boolean compression : new boolean[] {true, false}) {
        for (int rate : new int[] {100, 500, 0}) {
          Run run = stream(encryption, compression, rate, seconds);
          System.out.printf(
              "%-10s %-11s %9s %11.0f %8.2fms %8.2fms %8.2fms %11.1f %6.2f%n",
              encryption ? "on" : "off",
              compression ? "on" : "off",
              rate == 0 ? "max" : rate + "/s",
              run.changesPerSecond,
              run.p50,
              run.p99,
              run.max,
              run.wireBytesPerChange,
              run.changesPerSecond / commitRate);
        }
      }
    }
    System.out.println();
    snapshot(snapshotEntries);
  }

  private static String value(int i) {
    return "{\"ip\":\"10."
        + (i >> 16 & 255)
        + "."
        + (i >> 8 & 255)
        + "."
        + (i & 255)
        + "\",\"mac\":\"02:00:00:"
        + String.format("%02x:%02x:%02x", i >> 16 & 255, i >> 8 & 255, i & 255)
        + "\",\"expires\":86400}";
  }

  private static double localCommitRate(double seconds) throws Exception {
    try (ReplicationNode alone =
        ReplicationNode.fresh("bench-local", KEY, new ReplicationNode.Options())) {
      alone.lead(1);
      long end = System.nanoTime() + (long) (seconds * 1e9);
      long start = System.nanoTime();
      int n = 0;
      while (System.nanoTime() < end) {
        alone.store.put("dhcp_leases", "lease-" + n, value(n).getBytes(UTF_8), Optional.empty());
        n++;
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** One measured run. */
  private record Run(
      double changesPerSecond, double p50, double p99, double max, double wireBytesPerChange) {}

  @SuppressWarnings("unchecked")
  private static Run stream(boolean encryption, boolean compression, int rate, double seconds)
      throws Exception {
    var options = new ReplicationNode.Options().encryption(encryption).compression(compression);
    try (ReplicationNode a = ReplicationNode.fresh("bench-a", KEY, options);
        ReplicationNode b = ReplicationNode.fresh("bench-b", KEY, options)) {
      a.lead(1);
      b.follow(a);
      waitUntil(() -> b.replication.status().syncState().equals("in_sync"), 30);
      long startPosition = b.store.position();
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      int n = 0;
      while (System.nanoTime() < end) {
        if (rate > 0) {
          long due = start + (long) (n * 1e9 / rate);
          while (System.nanoTime() < due) {
            Thread.onSpinWait();
          }
        }
        a.store.put("dhcp_leases", "lease-" + n, value(n).getBytes(UTF_8), Optional.empty());
        n++;
      }
      long head = a.store.position();
      waitUntil(() -> b.store.position() >= head, 120);
      double elapsed = (System.nanoTime() - start) / 1e9;
      Map<String, Object> stats = a.replication.stats();
      Map<String, Object> lag = (Map<String, Object>) stats.get("replication_lag_ms");
      long changes = (long) stats.get("changes_sent");
      return new Run(
          (b.store.position() - startPosition) / elapsed,
          (double) lag.getOrDefault("p50", 0.0),
          (double) lag.getOrDefault("p99", 0.0),
          (double) lag.getOrDefault("max", 0.0),
          changes == 0 ? 0 : (long) stats.get("bytes_sent") / (double) changes);
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
                  value((int) seq).getBytes(UTF_8),
                  1,
                  Hlc.of(1_700_000_000_000L + seq, 0),
                  "bench-a",
                  0));
        }
        a.store.apply(batch);
      }
      System.out.printf(
          "loaded %,d entries on the primary in %.1f s%n",
          entries, (System.nanoTime() - loadStart) / 1e9);
      a.lead(1);
      Runtime runtime = Runtime.getRuntime();
      System.gc();
      long heapBefore = runtime.totalMemory() - runtime.freeMemory();
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
          "snapshot of %,d entries to a fresh replica: %.1f s (%.0f entries/s), %,d bytes on the wire"
              + " (%.1f B/entry, zstd + TLS), heap growth during it %,d MB%n",
          entries,
          took,
          entries / took,
          (long) stats.get("bytes_sent"),
          (long) stats.get("bytes_sent") / (double) entries,
          (peakHeap[0] - heapBefore) / (1024 * 1024));
    }
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
      Thread.sleep(5);
    }
  }
}
