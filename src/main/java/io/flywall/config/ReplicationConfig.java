package io.flywall.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code replication} block: this node's identity, its peers and how state is streamed.
 *
 * @param syncTimeout sync mode: how long a write waits for an acknowledgement before replication
 *     degrades to async
 * @param logRetention how many changes the log keeps
 */
public record ReplicationConfig(
    Mode mode,
    String nodeId,
    HostPort listenAddr,
    Optional<HostPort> primaryAddr,
    Optional<HostPort> peerAddr,
    List<HostPort> peerAddrs,
    Optional<Secret> secretKey,
    Optional<Secret> witnessKey,
    boolean compression,
    boolean encryption,
    Duration syncInterval,
    int batchSize,
    SyncMode syncMode,
    Duration syncTimeout,
    int logRetention,
    Path stateDir,
    List<Path> syncFiles,
    Optional<HaConfig> ha) {

  /** The initial replication role; with HA enabled the roles are negotiated afterwards. */
  public enum Mode {
    PRIMARY,
    REPLICA,
    STANDALONE
  }

  /** ASYNC: a write returns at once; SYNC: a write returns after a replica acknowledged it. */
  public enum SyncMode {
    ASYNC,
    SYNC
  }

  public ReplicationConfig {
    peerAddrs = List.copyOf(peerAddrs);
    syncFiles = List.copyOf(syncFiles);
  }

  /**
   * Heartbeat destinations: peer_addr as given (two-node form), or each peer_addrs host with
   * ha.heartbeat_port.
   */
  public List<HostPort> heartbeatPeers() {
    if (peerAddr.isPresent()) {
      return List.of(peerAddr.get());
    }
    int port = heartbeatPort();
    return peerAddrs.stream().map(p -> p.withPort(port)).toList();
  }

  /** This node's own heartbeat bind address: listen_addr host with ha.heartbeat_port. */
  public HostPort heartbeatListen() {
    return listenAddr.withPort(heartbeatPort());
  }

  private int heartbeatPort() {
    return ha.map(HaConfig::heartbeatPort).orElse(HaConfig.DEFAULT_HEARTBEAT_PORT);
  }
}
