package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.flywall.cluster.ClusterKeys;
import io.flywall.cluster.DecodeResult;
import io.flywall.cluster.Heartbeat;
import io.flywall.cluster.HeartbeatCodec;
import io.flywall.cluster.KeyCache;
import io.flywall.config.ConfigLoader;
import io.flywall.config.FlywallConfig;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.network.LinkObserver;
import io.flywall.network.LinkState;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.VipGroup;
import io.flywall.state.NodeMeta;
import io.flywall.state.StateDatabase;
import io.flywall.testing.FreePorts;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN 10.2, first heartbeat within 1.5 s of process start: heartbeats do not wait for the slower
 * subsystems, and what they say before those are up is true. The slow part is a leftover-VIP
 * removal that blocks on a latch (as a network plane still opening would), so the order is proven
 * without timings.
 */
class FirstHeartbeatTest {
  private static final String SECRET = "first-heartbeat-test-secret-0123456789";

  @TempDir Path dir;

  @Test
  void heartbeatsGoOutWhileTheSlowerSubsystemsStartAndClaimOnlyWhatIsKnown() throws Exception {
    Path stateDir = dir.resolve("n1");
    try (StateDatabase db = StateDatabase.open(stateDir)) {
      NodeMeta meta = new NodeMeta(db);
      meta.persistEpoch(7);
      meta.persistStandby(true);
    }
    int port = FreePorts.udpOnAll(List.of("127.0.0.1", "127.0.0.2"), System.nanoTime());
    String text =
        """
        replication {
          mode = "replica"
          node_id = "n1"
          listen_addr = "127.0.0.1:%d"
          peer_addrs = ["127.0.0.2:9001"]
          secret_key = "%s"
          state_dir = "%s"
          ha {
            priority = 50
            heartbeat_interval = "100ms"
            heartbeat_port = %d
            monitor_links = ["uplink"]
          }
        }
        api {
          listen = "127.0.0.1:%d"
        }
        """
            .formatted(FreePorts.tcp(), SECRET, stateDir, port, FreePorts.tcp());
    var config = new ConfigLoader(() -> "unused").parse("n1.hcl", text).config();
    SlowVips vips = new SlowVips();
    AtomicInteger linkChecks = new AtomicInteger();
    LinkObserver links =
        new LinkObserver() {
          @Override
          public List<LinkState> observe(Collection<String> names) {
            linkChecks.incrementAndGet();
            return names.stream().map(LinkState::up).toList();
          }
        };
    HeartbeatCodec codec = HeartbeatCodec.withKeys(ClusterKeys.fromSecret(SECRET));
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.2", port))) {
      // Shorter than the slow step's own limit: a heartbeat that waited for it never comes in time.
      peer.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      CompletableFuture<Daemon> starting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return start(config, vips, links);
                } catch (NodeStartException e) {
                  throw new IllegalStateException(e);
                }
              });
      try {
        assertThat(vips.releaseEntered.await(60, TimeUnit.SECONDS)).isTrue();
        Heartbeat early = receive(peer, codec);
        // Received while the start is held in the slow step: nothing after it has run yet.
        assertThat(starting).isNotDone();
        assertThat(linkChecks).hasValue(0);
        assertThat(early.nodeId()).isEqualTo("n1");
        assertThat(early.status().role()).isEqualTo(Heartbeat.Role.INIT);
        assertThat(early.status().epoch()).isEqualTo(7);
        assertThat(early.status().has(Heartbeat.Flag.STANDBY)).isTrue();
        assertThat(early.status().has(Heartbeat.Flag.STARTUP_HOLD)).isTrue();
        // The monitors were not judged yet, and replication has not even started.
        assertThat(early.status().has(Heartbeat.Flag.HEALTHY)).isFalse();
        assertThat(early.status().has(Heartbeat.Flag.IN_SYNC)).isFalse();
        assertThat(vips.claims).hasValue(0);
      } finally {
        vips.releaseMayEnd.countDown();
      }
      try (Daemon daemon = starting.get(60, TimeUnit.SECONDS)) {
        assertThat(linkChecks.get()).isPositive();
        // Once the monitors were judged (the link is up), heartbeats say the node is healthy.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> receive(peer, codec).status().has(Heartbeat.Flag.HEALTHY));
        assertThat(daemon.view().status().epoch()).isEqualTo(7);
      }
    }
  }

  /**
   * The key cache (docs/first-heartbeat.md): the first start writes it, and a restart after
   * secret_key was rotated speaks with the new secret's key, not the cached one, then caches that.
   */
  @Test
  void aRestartAfterTheSecretWasRotatedSpeaksWithTheNewKeyNotTheCachedOne() throws Exception {
    Path stateDir = dir.resolve("n1");
    int port = FreePorts.udpOnAll(List.of("127.0.0.1", "127.0.0.2"), System.nanoTime());
    String rotated = "rotated-first-heartbeat-secret-9876543210";
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.2", port))) {
      peer.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      startHearAndStop(stateDir, port, SECRET, peer);
      Path cache = stateDir.resolve(KeyCache.FILE_NAME);
      assertThat(cache).isRegularFile();
      assertThat(java.nio.file.Files.getPosixFilePermissions(cache))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      String cachedForTheOldSecret = java.nio.file.Files.readString(cache);

      startHearAndStop(stateDir, port, rotated, peer);
      assertThat(java.nio.file.Files.readString(cache)).isNotEqualTo(cachedForTheOldSecret);
      startHearAndStop(stateDir, port, rotated, peer);
    }
  }

  /**
   * A second daemon started on a running node's state_dir is refused (the directory's lock); its
   * Argon2id run, started before the lock was tried, must not write its secret's keys over the
   * running node's cache (the next restart would pay for Argon2id again, or find keys it never
   * chose).
   */
  @Test
  void aSecondDaemonRefusedTheStateDirLeavesTheRunningNodesKeyCacheAlone() throws Exception {
    Path stateDir = dir.resolve("n1");
    int port = FreePorts.udpOnAll(List.of("127.0.0.1", "127.0.0.2"), System.nanoTime());
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.2", port))) {
      peer.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      try (Daemon running = start(stateDir, port, SECRET)) {
        HeartbeatCodec codec = HeartbeatCodec.withKeys(ClusterKeys.fromSecret(SECRET));
        assertThat(receive(peer, codec).nodeId()).isEqualTo("n1");
        Path cache = stateDir.resolve(KeyCache.FILE_NAME);
        String cached = java.nio.file.Files.readString(cache);

        assertThatThrownBy(() -> start(stateDir, port, "second-daemon-secret-0123456789abcdef"))
            .isInstanceOf(NodeStartException.class)
            .hasMessageContaining("already running");
        // The refused start's key derivation runs on in its own thread: wait for it to end.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().equals("flywall-kdf") && t.isAlive()));
        assertThat(java.nio.file.Files.readString(cache)).isEqualTo(cached);
      }
      drain(peer);
    }
  }

  /** Starts n1 with {@code secret}; its heartbeats must authenticate under that secret's key. */
  private void startHearAndStop(Path stateDir, int port, String secret, DatagramSocket peer)
      throws Exception {
    HeartbeatCodec codec = HeartbeatCodec.withKeys(ClusterKeys.fromSecret(secret));
    try (Daemon daemon = start(stateDir, port, secret)) {
      assertThat(receive(peer, codec).nodeId()).isEqualTo("n1");
    }
    drain(peer);
  }

  /** Starts n1 with {@code secret} on {@code stateDir}, its leftover-VIP removal not held. */
  private Daemon start(Path stateDir, int port, String secret) throws Exception {
    String text =
        """
        replication {
          mode = "replica"
          node_id = "n1"
          listen_addr = "127.0.0.1:%d"
          peer_addrs = ["127.0.0.2:9001"]
          secret_key = "%s"
          state_dir = "%s"
          ha {
            heartbeat_interval = "100ms"
            heartbeat_port = %d
          }
        }
        api {
          listen = "127.0.0.1:%d"
        }
        """
            .formatted(FreePorts.tcp(), secret, stateDir, port, FreePorts.tcp());
    var config = new ConfigLoader(() -> "unused").parse("n1.hcl", text).config();
    SlowVips vips = new SlowVips();
    vips.releaseMayEnd.countDown();
    return start(config, vips, names -> names.stream().map(LinkState::up).toList());
  }

  /** Starts a daemon of {@code config} with these VIPs and links, no scripts and no conntrack. */
  private static Daemon start(FlywallConfig config, VipGroup vips, LinkObserver links)
      throws NodeStartException {
    return Daemon.start(
        config,
        Clock.systemUTC(),
        new Daemon.Effects(
            vips,
            FailoverScripts.none(),
            new ProcessCommandRunner(),
            ConnectionSync.disabled(),
            links));
  }

  /** Drops what a stopped node sent after the heartbeat the test read (under its key). */
  private static void drain(DatagramSocket socket) throws Exception {
    int timeout = socket.getSoTimeout();
    socket.setSoTimeout(200);
    byte[] buf = new byte[HeartbeatCodec.MAX_DATAGRAM_BYTES];
    try {
      for (int i = 0; i < 10_000; i++) {
        socket.receive(new DatagramPacket(buf, buf.length));
      }
    } catch (SocketTimeoutException empty) {
      // Nothing left.
    } finally {
      socket.setSoTimeout(timeout);
    }
  }

  private static Heartbeat receive(DatagramSocket socket, HeartbeatCodec codec) throws Exception {
    byte[] buf = new byte[HeartbeatCodec.MAX_DATAGRAM_BYTES];
    DatagramPacket packet = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(packet);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no heartbeat from the starting node within 30 s", e);
    }
    DecodeResult result = codec.decode(buf, packet.getLength());
    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    return ((DecodeResult.Accepted) result).heartbeat();
  }

  /** Leftover-VIP removal that holds the start until the test lets it go; counts claims. */
  private static final class SlowVips implements VipGroup {
    final CountDownLatch releaseEntered = new CountDownLatch(1);
    final CountDownLatch releaseMayEnd = new CountDownLatch(1);
    final AtomicInteger claims = new AtomicInteger();

    @Override
    public void claim() {
      claims.incrementAndGet();
    }

    @Override
    public void release() throws InterruptedException {
      releaseEntered.countDown();
      releaseMayEnd.await(90, TimeUnit.SECONDS);
    }

    @Override
    public Optional<VipGroup.Conflict> probeConflict(Instant since) {
      return Optional.empty();
    }

    @Override
    public void tick(boolean primary) {}

    @Override
    public void reannounce() {}

    @Override
    public List<VipState> state() {
      return List.of();
    }
  }
}
