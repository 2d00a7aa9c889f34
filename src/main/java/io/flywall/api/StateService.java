package io.flywall.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the replication and state routes need from a running node; the node implements it, tests
 * fake it. Failures a caller can act on are {@link StateApiException}s.
 */
public interface StateService {
  ReplicationStatusView replicationStatus();

  Map<String, Object> replicationStats();

  /** Drops this replica's copy and takes a fresh snapshot; refused on the primary. */
  ApiModel.CommandOutcome resync();

  Optional<StateEntry> get(String bucket, String key);

  List<StateEntry> list(String bucket, int limit);

  StateWrite put(String bucket, String key, byte[] value, Optional<Duration> ttl);

  /** Empty if there was nothing to delete. */
  Optional<StateWrite> delete(String bucket, String key);

  /**
   * {@code POST /api/state}: all of {@code ops} in one transaction, or none of them. A bad op is a
   * 400 naming its index; a backup answers 409.
   */
  BatchWrite write(List<Op> ops);

  List<ConflictView> conflicts(int limit);

  /** {@code GET /api/replication/status}. */
  record ReplicationStatusView(
      String nodeId,
      String role,
      String syncState,
      String syncMode,
      long position,
      String checksum,
      String lastSyncTime,
      String primaryId,
      String historyId,
      String problem,
      long conflicts,
      List<PeerView> peers) {}

  record PeerView(
      String nodeId,
      String address,
      String state,
      long ackedPosition,
      long lagChanges,
      long lagMs) {}

  /** One live entry. {@code value} is UTF-8 text, or base64 when {@code encoding} says so. */
  record StateEntry(
      String bucket,
      String key,
      String value,
      String encoding,
      long version,
      String hlc,
      String origin,
      String updatedAt,
      String expiresAt) {}

  /** One operation of a batch: a put (with a value and an optional ttl) or a delete. */
  record Op(Kind kind, String bucket, String key, byte[] value, Optional<Duration> ttl) {
    /** What an operation does. */
    public enum Kind {
      PUT,
      DELETE
    }
  }

  /**
   * The outcome of a batch: how many changes it wrote (a delete of an absent key writes none), the
   * log position after it, and whether a replica acknowledged it.
   */
  record BatchWrite(int count, long position, boolean replicated, String note) {}

  /** The outcome of a write: where it is in the log and whether a replica acknowledged it. */
  record StateWrite(
      String bucket, String key, long version, long position, boolean replicated, String note) {}

  record ConflictView(
      long id,
      String time,
      String bucket,
      String key,
      String winnerOrigin,
      String winnerHlc,
      String loserOrigin,
      String loserHlc,
      String loserValue) {}
}
