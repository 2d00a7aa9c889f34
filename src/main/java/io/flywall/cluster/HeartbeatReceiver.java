package io.flywall.cluster;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Turns received datagrams into trusted heartbeats: drops those from unknown sources, that do not
 * decode or authenticate, that claim to be this node, that are replays, or that are the first from
 * a peer and too far from this node's clock. Drops are counted per reason and logged rate-limited;
 * accepted heartbeats update the {@link PeerTable}. Pure logic over an injected clock; the socket
 * lives in {@link UdpHeartbeatTransport}.
 */
public final class HeartbeatReceiver {

  public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(30);

  private final String selfNodeId;
  private final Set<InetSocketAddress> peerAddresses;
  private final HeartbeatCodec codec;
  private final Clock clock;
  private final ReplayGuard replayGuard;
  private final RejectionLog rejectionLog;
  private final PeerTable peers = new PeerTable();
  private final Map<RejectReason, LongAdder> rejections = new EnumMap<>(RejectReason.class);
  private final AtomicLong accepted = new AtomicLong();

  public HeartbeatReceiver(
      String selfNodeId, Set<InetSocketAddress> peerAddresses, HeartbeatCodec codec, Clock clock) {
    this(selfNodeId, peerAddresses, codec, clock, DEFAULT_MAX_SKEW);
  }

  /**
   * @param peerAddresses the heartbeat addresses of the configured peers, resolved; a datagram is
   *     accepted only from one of these (IP and port)
   * @param maxSkew how far the first heartbeat of an unseen peer may be from this clock
   */
  public HeartbeatReceiver(
      String selfNodeId,
      Set<InetSocketAddress> peerAddresses,
      HeartbeatCodec codec,
      Clock clock,
      Duration maxSkew) {
    this(selfNodeId, peerAddresses, codec, clock, maxSkew, new RejectionLog(clock));
  }

  HeartbeatReceiver(
      String selfNodeId,
      Set<InetSocketAddress> peerAddresses,
      HeartbeatCodec codec,
      Clock clock,
      Duration maxSkew,
      RejectionLog rejectionLog) {
    Heartbeat.requireNodeId(selfNodeId, "selfNodeId");
    for (InetSocketAddress address : peerAddresses) {
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("peer address " + address + " is not resolved");
      }
    }
    this.selfNodeId = selfNodeId;
    this.peerAddresses = Set.copyOf(peerAddresses);
    this.codec = Objects.requireNonNull(codec, "codec");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.replayGuard = new ReplayGuard(maxSkew);
    this.rejectionLog = rejectionLog;
    for (RejectReason reason : RejectReason.values()) {
      rejections.put(reason, new LongAdder());
    }
  }

  /** Judges one datagram of {@code length} bytes received from {@code source}. Never throws. */
  public synchronized Reception receive(byte[] buf, int length, InetSocketAddress source) {
    if (source == null || !peerAddresses.contains(source)) {
      return reject(RejectReason.UNKNOWN_NODE, "source is not a configured peer", source);
    }
    DecodeResult decoded = codec.decode(buf, length);
    if (decoded instanceof DecodeResult.Rejected rejected) {
      return reject(rejected.reason(), rejected.detail(), source);
    }
    Heartbeat heartbeat = ((DecodeResult.Accepted) decoded).heartbeat();
    if (heartbeat.nodeId().equals(selfNodeId)) {
      return reject(
          RejectReason.SELF,
          "claims this node's id " + selfNodeId + " (duplicate node_id or reflected traffic)",
          source);
    }
    Instant now = clock.instant();
    Optional<Reception.Rejected> stale = replayGuard.check(heartbeat, now.toEpochMilli());
    if (stale.isPresent()) {
      return reject(stale.get().reason(), stale.get().detail(), source);
    }
    replayGuard.accept(heartbeat);
    ReceivedHeartbeat received = new ReceivedHeartbeat(heartbeat, source, now, rtt(heartbeat, now));
    peers.record(received);
    accepted.incrementAndGet();
    return new Reception.Accepted(received);
  }

  /** Dropped datagrams per reason since start; every reason is present. */
  public Map<RejectReason, Long> rejections() {
    Map<RejectReason, Long> snapshot = new EnumMap<>(RejectReason.class);
    rejections.forEach((reason, count) -> snapshot.put(reason, count.sum()));
    return Collections.unmodifiableMap(snapshot);
  }

  public long rejectedTotal() {
    return rejections.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long acceptedTotal() {
    return accepted.get();
  }

  public PeerTable peers() {
    return peers;
  }

  public String selfNodeId() {
    return selfNodeId;
  }

  private static Optional<Duration> rtt(Heartbeat heartbeat, Instant now) {
    Heartbeat.Echo echo = heartbeat.echo();
    if (!echo.present()) {
      return Optional.empty();
    }
    // Both timestamps are this node's clock; clamp so a clock step back cannot yield a negative
    // RTT.
    long millis = now.toEpochMilli() - echo.echoTimeMillis() - echo.echoDelayMillis();
    return Optional.of(Duration.ofMillis(Math.max(0, millis)));
  }

  private Reception reject(RejectReason reason, String detail, InetSocketAddress source) {
    rejections.get(reason).increment();
    rejectionLog.record(reason, detail, source);
    return new Reception.Rejected(reason, detail);
  }
}
