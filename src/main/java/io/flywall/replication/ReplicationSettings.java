package io.flywall.replication;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How this node replicates, taken from the {@code replication} block.
 *
 * @param syncTimeout in sync mode, how long a write waits for an ack before replication is declared
 *     degraded (async) for the writes that follow
 * @param haConfig the HA config file itself, which is never written by a file push
 * @param peers the addresses the listener accepts connections from
 */
public record ReplicationSettings(
    String nodeId,
    InetSocketAddress listen,
    boolean encryption,
    boolean compression,
    int batchSize,
    Duration syncInterval,
    boolean syncMode,
    Duration syncTimeout,
    List<Path> syncFiles,
    Optional<Path> haConfig,
    PeerSources peers) {

  public ReplicationSettings {
    syncFiles = List.copyOf(syncFiles);
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch_size must be at least 1");
    }
  }
}
