package io.flywall.replication;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of the replication stream as {@code GET /api/replication/stats} shows them. Apply
 * latency and replication lag are kept as a small reservoir of recent samples for percentiles.
 */
public final class ReplicationStats {
  final AtomicLong changesSent = new AtomicLong();
  // Of changesSent, those read from the log: the replica was further behind than the feed holds.
  final AtomicLong changesSentFromLog = new AtomicLong();
  final AtomicLong changesReceived = new AtomicLong();
  final AtomicLong bytesSent = new AtomicLong();
  final AtomicLong bytesReceived = new AtomicLong();
  final AtomicLong rawBytesSent = new AtomicLong();
  final AtomicLong payloadBytesSent = new AtomicLong();
  final AtomicLong rawBytesReceived = new AtomicLong();
  final AtomicLong payloadBytesReceived = new AtomicLong();
  final AtomicLong batchesSent = new AtomicLong();
  final AtomicLong batchesReceived = new AtomicLong();
  final AtomicLong snapshotsSent = new AtomicLong();
  final AtomicLong snapshotsReceived = new AtomicLong();
  final AtomicLong conflicts = new AtomicLong();
  final AtomicLong mergedChanges = new AtomicLong();
  final AtomicLong rejectedFrames = new AtomicLong();
  final AtomicLong syncTimeouts = new AtomicLong();
  final AtomicLong streamErrors = new AtomicLong();
  final AtomicLong filesPushed = new AtomicLong();
  final AtomicLong filesWritten = new AtomicLong();
  final AtomicLong filesRefused = new AtomicLong();
  final AtomicLong silentStreamsClosed = new AtomicLong();
  final AtomicLong refusedNotPeer = new AtomicLong();
  final AtomicLong handshakesShed = new AtomicLong();
  final AtomicLong acceptErrors = new AtomicLong();
  private final Samples applyMicros = new Samples(4096);
  private final Samples lagMicros = new Samples(65536);

  void applied(long micros) {
    applyMicros.add(micros);
  }

  /** The time from a change's commit on the primary to a replica's ack covering it. */
  void lag(long micros) {
    lagMicros.add(micros);
  }

  /** Everything, as flat JSON-friendly fields. */
  public Map<String, Object> snapshot(long authFailures) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("changes_sent", changesSent.get());
    m.put("changes_sent_from_log", changesSentFromLog.get());
    m.put("changes_received", changesReceived.get());
    m.put("bytes_sent", bytesSent.get());
    m.put("bytes_received", bytesReceived.get());
    m.put("raw_bytes_sent", rawBytesSent.get());
    m.put("compressed_bytes_sent", payloadBytesSent.get());
    m.put("raw_bytes_received", rawBytesReceived.get());
    m.put("compressed_bytes_received", payloadBytesReceived.get());
    m.put("batches_sent", batchesSent.get());
    m.put("batches_received", batchesReceived.get());
    m.put("snapshots_sent", snapshotsSent.get());
    m.put("snapshots_received", snapshotsReceived.get());
    m.put("conflicts", conflicts.get());
    m.put("merged_changes", mergedChanges.get());
    m.put("rejected_frames", rejectedFrames.get());
    m.put("auth_failures", authFailures);
    m.put("sync_timeouts", syncTimeouts.get());
    m.put("stream_errors", streamErrors.get());
    m.put("files_pushed", filesPushed.get());
    m.put("files_written", filesWritten.get());
    m.put("files_refused", filesRefused.get());
    m.put("silent_streams_closed", silentStreamsClosed.get());
    m.put("refused_not_peer", refusedNotPeer.get());
    m.put("handshakes_shed", handshakesShed.get());
    m.put("accept_errors", acceptErrors.get());
    m.put("apply_latency_ms", applyMicros.summary());
    m.put("replication_lag_ms", lagMicros.summary());
    return m;
  }

  /** A ring of recent samples (microseconds), summarized in milliseconds. */
  static final class Samples {
    private final long[] ring;
    private long count;

    Samples(int size) {
      ring = new long[size];
    }

    synchronized void add(long micros) {
      ring[(int) (count++ % ring.length)] = micros;
    }

    synchronized Map<String, Object> summary() {
      int n = (int) Math.min(count, ring.length);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("count", count);
      if (n == 0) {
        return m;
      }
      long[] sorted = Arrays.copyOf(ring, n);
      Arrays.sort(sorted);
      m.put("p50", sorted[(int) Math.min(n - 1, Math.round(0.50 * (n - 1)))] / 1000.0);
      m.put("p99", sorted[(int) Math.min(n - 1, Math.round(0.99 * (n - 1)))] / 1000.0);
      m.put("max", sorted[n - 1] / 1000.0);
      return m;
    }
  }
}
