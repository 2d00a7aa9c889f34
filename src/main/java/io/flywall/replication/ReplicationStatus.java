package io.flywall.replication;

import java.util.List;

/**
 * What {@code GET /api/replication/status} shows. {@code checksum} is over all entries; equal
 * checksums at equal positions are what "in sync" means.
 *
 * @param syncState primary: in_sync, catching_up or no_replicas; replica: in_sync, streaming,
 *     catching_up, snapshot, connected, disconnected or error
 * @param syncMode async, sync, or degraded (sync mode fell back to async after a timeout)
 */
public record ReplicationStatus(
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
    List<Peer> peers) {

  public ReplicationStatus {
    peers = List.copyOf(peers);
  }

  /** A replica as the primary sees it, or the primary as a replica sees it. */
  public record Peer(
      String nodeId,
      String address,
      String state,
      long ackedPosition,
      long lagChanges,
      long lagMs) {}
}
