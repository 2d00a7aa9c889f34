package io.flywall.replication;

import io.flywall.state.Change;
import io.flywall.state.LogPoint;
import io.flywall.state.SnapshotHeader;
import java.util.List;

/** Everything primary and replica say to each other, one record per message type. */
public sealed interface ReplicationMessage {

  /** Replica → primary, first: where its log ends and the highest epoch it knows. */
  record Follow(LogPoint point, long knownEpoch) implements ReplicationMessage {}

  /** Primary → replica: the next changes of the log, written under {@code epoch} or earlier. */
  record Batch(long epoch, List<Change> changes) implements ReplicationMessage {}

  /** Primary → replica when idle: where the primary's log is and its checksum there. */
  record Position(long epoch, long position, long checksum) implements ReplicationMessage {}

  /** Replica → primary: applied through {@code position}, with {@code checksum} there. */
  record Ack(long position, long checksum) implements ReplicationMessage {}

  /** Primary → replica: a snapshot follows (chunks, then an end). */
  record SnapshotBegin(long epoch, SnapshotHeader header) implements ReplicationMessage {}

  record SnapshotChunk(List<Change> rows) implements ReplicationMessage {}

  record SnapshotEnd(long checksum) implements ReplicationMessage {}

  /**
   * Primary → replica: your log forked from mine after {@code agreed}; send what you wrote since.
   */
  record Diverged(long agreed) implements ReplicationMessage {}

  /** Replica → primary: changes written since the fork; {@code last} marks the final chunk. */
  record Divergent(List<Change> changes, boolean last) implements ReplicationMessage {}

  /**
   * Primary → replica: one file of {@code sync_files}, to be written atomically with {@code mode}.
   */
  record FilePush(String path, int mode, byte[] content) implements ReplicationMessage {}

  /** Either side: the session ends, and why (stale epoch, not the primary ...). */
  record Refused(String reason) implements ReplicationMessage {
    /** How a node that is not (yet) primary answers a replica. */
    public static final String NOT_PRIMARY = "not the primary: ";
  }
}
