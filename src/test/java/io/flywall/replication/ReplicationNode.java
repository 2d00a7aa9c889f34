package io.flywall.replication;

import io.flywall.state.LogRetention;
import io.flywall.state.StateDatabase;
import io.flywall.state.StateStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** One in-process replication node on loopback, for tests: a store, its replication, and knobs. */
final class ReplicationNode implements AutoCloseable {
  final String nodeId;
  final Path dir;
  final StateDatabase db;
  final StateStore store;
  final ReplicationSettings settings;
  final Replication replication;
  final AtomicReference<Optional<PrimaryTarget>> primary = new AtomicReference<>(Optional.empty());
  final AtomicLong epoch = new AtomicLong();
  final AtomicReference<Boolean> inSync = new AtomicReference<>();

  ReplicationNode(String nodeId, Path dir, byte[] key, Options options) throws Exception {
    this.nodeId = nodeId;
    this.dir = dir;
    this.db = StateDatabase.open(dir);
    this.store = StateStore.open(db, nodeId, Clock.systemUTC(), options.retention);
    this.settings =
        new ReplicationSettings(
            nodeId,
            new InetSocketAddress(options.listen, 0),
            options.encryption,
            options.compression,
            options.batchSize,
            Duration.ofMillis(50),
            options.syncMode,
            Duration.ofMillis(500),
            options.syncFiles,
            Optional.empty(),
            options.peers);
    this.replication =
        Replication.start(
            store,
            settings,
            key,
            options.clock,
            new SecureRandom(),
            primary::get,
            epoch::get,
            (sync, position) -> inSync.set(sync));
  }

  static ReplicationNode fresh(String nodeId, byte[] key, Options options) throws Exception {
    return new ReplicationNode(
        nodeId, Files.createTempDirectory("flywall-repl-" + nodeId), key, options);
  }

  PrimaryTarget target() {
    return new PrimaryTarget(
        nodeId, new InetSocketAddress(settings.listen().getAddress(), replication.listenPort()));
  }

  void follow(ReplicationNode leader) {
    primary.set(Optional.of(leader.target()));
    replication.becomeReplica(Optional.of(leader.nodeId));
  }

  void lead(long newEpoch) {
    epoch.set(newEpoch);
    replication.becomePrimary(newEpoch);
  }

  /** Options of a test node. */
  static final class Options {
    boolean encryption = true;
    boolean compression = true;
    boolean syncMode;
    int batchSize = 1000;
    LogRetention retention = LogRetention.DEFAULT;
    List<Path> syncFiles = List.of();
    Clock clock = Clock.systemUTC();
    PeerSources peers = new PeerSources(Set.of(InetAddress.getLoopbackAddress()));
    InetAddress listen = InetAddress.getLoopbackAddress();

    Options encryption(boolean on) {
      encryption = on;
      return this;
    }

    Options compression(boolean on) {
      compression = on;
      return this;
    }

    Options syncMode(boolean on) {
      syncMode = on;
      return this;
    }

    Options retention(LogRetention r) {
      retention = r;
      return this;
    }

    /** The clock of the node's replication (its store keeps the system clock). */
    Options clock(Clock replicationClock) {
      clock = replicationClock;
      return this;
    }

    /** The loopback address this node listens on and connects from (default 127.0.0.1). */
    Options listenOn(InetAddress address) {
      listen = address;
      return this;
    }

    /** The addresses this node's listener accepts (default 127.0.0.1, where the others are). */
    Options peers(PeerSources sources) {
      peers = sources;
      return this;
    }

    Options syncFiles(List<Path> files) {
      syncFiles = files;
      return this;
    }
  }

  /** Closes replication and the database but keeps the directory (a restart reopens it). */
  void stop() {
    replication.close();
    db.close();
  }

  @Override
  public void close() throws Exception {
    stop();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
