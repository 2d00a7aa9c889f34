package io.flywall.node;

import io.flywall.cluster.BootId;
import io.flywall.cluster.ClusterKeys;
import io.flywall.cluster.Heartbeat;
import io.flywall.cluster.HeartbeatCodec;
import io.flywall.cluster.HeartbeatCommand;
import io.flywall.cluster.HeartbeatPeers;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.HeartbeatSender;
import io.flywall.cluster.NodeStatus;
import io.flywall.cluster.PeerStatus;
import io.flywall.cluster.ReceivedHeartbeat;
import io.flywall.cluster.TcpConnectAnswer;
import io.flywall.cluster.UdpHeartbeatTransport;
import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.HostPort;
import io.flywall.config.ReplicationConfig;
import io.flywall.state.StateDirLock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A voter without VIPs or state: it heartbeats to every node so that a two-node cluster has a third
 * voter, and relays the highest epoch it has seen. It never competes for the role.
 */
public final class Witness implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Witness.class);

  /** Least preferred; a witness is never a candidate, this only keeps the field meaningful. */
  private static final int WITNESS_PRIORITY = 1000;

  private final ScheduledExecutorService loop;
  private final UdpHeartbeatTransport transport;
  private final java.util.Optional<TcpConnectAnswer> tcpAnswer;
  private final StateDirLock lock;

  private Witness(
      ScheduledExecutorService loop,
      UdpHeartbeatTransport transport,
      java.util.Optional<TcpConnectAnswer> tcpAnswer,
      StateDirLock lock) {
    this.lock = lock;
    this.loop = loop;
    this.transport = transport;
    this.tcpAnswer = tcpAnswer;
  }

  public InetSocketAddress localAddress() {
    return transport.localAddress();
  }

  public static Witness start(FlywallConfig config, Clock clock) throws NodeStartException {
    ReplicationConfig replication = config.replication();
    HaConfig ha =
        replication
            .ha()
            .orElseThrow(
                () ->
                    new NodeStartException(
                        "a witness needs an 'ha' block (heartbeat_port, heartbeat_interval, failure_threshold)"));
    List<InetSocketAddress> peers = new ArrayList<>();
    for (HostPort peer : replication.heartbeatPeers()) {
      peers.add(ClusterPlan.resolve(peer, "peer"));
    }
    if (peers.isEmpty()) {
      throw new NodeStartException(
          "a witness needs the nodes' addresses: set peer_addrs (or peer_addr)");
    }
    byte[] witnessKey = witnessKey(replication);
    HostPort listen = replication.heartbeatListen();
    InetSocketAddress bind =
        listen.anyHost()
            ? new InetSocketAddress(listen.port())
            : ClusterPlan.resolve(listen, "listen_addr");
    StateDirLock lock = Daemon.lockStateDir(replication.stateDir());
    try {
      long bootId = BootId.next(replication.stateDir(), clock);
      HeartbeatReceiver receiver =
          new HeartbeatReceiver(
              replication.nodeId(),
              HeartbeatPeers.nodes(peers, new HeartbeatCodec(witnessKey)),
              clock);
      AtomicLong maxEpoch = new AtomicLong();
      UdpHeartbeatTransport transport =
          UdpHeartbeatTransport.open(
              bind,
              receiver,
              (ReceivedHeartbeat received) ->
                  maxEpoch.accumulateAndGet(received.heartbeat().status().epoch(), Math::max));
      HeartbeatSender sender =
          new HeartbeatSender(replication.nodeId(), bootId, transport, receiver.peers(), clock);
      ScheduledExecutorService loop =
          Executors.newSingleThreadScheduledExecutor(Daemon.daemonThreads("flywall-witness"));
      Duration failureTimeout = ha.failureTimeout();
      loop.scheduleAtFixedRate(
          () -> {
            try {
              Instant now = clock.instant();
              int visible =
                  1
                      + (int)
                          receiver.peers().all().stream()
                              .filter(
                                  (PeerStatus p) -> p.silentFor(now).compareTo(failureTimeout) <= 0)
                              .count();
              NodeStatus status =
                  new NodeStatus(
                      maxEpoch.get(),
                      Heartbeat.Role.WITNESS,
                      WITNESS_PRIORITY,
                      EnumSet.of(Heartbeat.Flag.HEALTHY),
                      "",
                      0,
                      new Heartbeat.QuorumView(Math.min(255, visible), ""));
              sender.send(status, HeartbeatCommand.NONE, peers);
            } catch (RuntimeException e) {
              log.error("witness heartbeat failed", e);
            }
          },
          0,
          ha.heartbeatInterval().toMillis(),
          TimeUnit.MILLISECONDS);
      java.util.Optional<TcpConnectAnswer> answer = TcpConnectAnswer.open(bind);
      // Logged once the heartbeat port answers TCP probes too: whoever waits for this line may
      // probe it at once (UnitSandboxLabIT did, and was refused on a busy machine).
      log.info("witness {} on {} voting for {}", replication.nodeId(), bind, peers);
      return new Witness(loop, transport, answer, lock);
    } catch (IOException e) {
      lock.close();
      throw new NodeStartException(
          "cannot start the witness on " + bind + ": " + e.getMessage(), e);
    }
  }

  /**
   * The witness's own key. The cluster's secret_key is refused: a witness holding it could read
   * every replicated value and speak as any node, which is what the witness key exists to prevent.
   */
  private static byte[] witnessKey(ReplicationConfig replication) throws NodeStartException {
    if (replication.secretKey().isPresent()) {
      throw new NodeStartException(
          "a witness takes witness_key, not the cluster's secret_key (with it a witness could read"
              + " all replicated state and pose as a node): print the key with 'flywall config"
              + " witness-key NODE_CONFIG' and set witness_key = \"...\" instead of secret_key");
    }
    return ClusterKeys.parseWitnessKey(
        replication
            .witnessKey()
            .orElseThrow(
                () ->
                    new NodeStartException(
                        "a witness needs witness_key: print it with 'flywall config witness-key"
                            + " NODE_CONFIG' on a node"))
            .value());
  }

  @Override
  public void close() {
    loop.shutdownNow();
    transport.close();
    tcpAnswer.ifPresent(TcpConnectAnswer::close);
    lock.close();
    log.info("witness stopped");
  }
}
