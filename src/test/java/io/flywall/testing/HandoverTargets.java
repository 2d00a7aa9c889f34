package io.flywall.testing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Whether a node's {@code GET /api/ha/cluster} shows a peer as a handover target: alive, healthy, a
 * backup and in sync.
 *
 * <p>A replica knows it is in sync one heartbeat before its primary hears so, and only the
 * primary's view decides a failover, a standby or a handover at stop. Tests that act on the primary
 * wait on its view, not the replica's.
 */
public final class HandoverTargets {
  private HandoverTargets() {}

  /** {@code cluster} is the primary's {@code /api/ha/cluster} document. */
  public static boolean shows(JsonNode cluster, String nodeId) {
    for (JsonNode n : cluster.path("nodes")) {
      if (n.path("node_id").asText().equals(nodeId)) {
        return n.path("alive").asBoolean()
            && n.path("healthy").asBoolean()
            && n.path("in_sync").asBoolean()
            && n.path("role").asText().equals("backup");
      }
    }
    return false;
  }
}
