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
 * decode or authenticate under the key of the address they came from, that claim to be this node or
 * another node than the one that speaks from that address, that are replays, or that were sent too
 * far from this node's clock. A datagram under the witness key must be a plain witness heartbeat.
 * Drops are counted per reason and logged rate-limited; heartbeats that keep failing the clock
 * check raise {@link #CLOCK_SKEW_ALARM}; accepted heartbeats update the {@link PeerTable}. Pure
 * logic over an injected clock; the socket lives in {@link UdpHeartbeatTransport}.
 */
public final class HeartbeatReceiver {

  public static final Duration DEFAULT_MAX_SKEW = Duration.ofSeconds(30);

  /** Raised while a configured peer's heartbeats keep arriving outside the skew bound. */
  public static final String CLOCK_SKEW_ALARM = "clock_skew";

  private final String selfNodeId;
  private final HeartbeatPeers peerKeys;
  private final Clock clock;
  private final ReplayGuard replayGuard;
  private final AddressBinding binding = new AddressBinding();
  private final SkewAlarm skewAlarm;
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
   * @param maxSkew how far a heartbeat's send time may be from this clock
   */
  public HeartbeatReceiver(
      String selfNodeId,
      Set<InetSocketAddress> peerAddresses,
      HeartbeatCodec codec,
      Clock clock,
      Duration maxSkew) {
    this(selfNodeId, HeartbeatPeers.nodes(peerAddresses, codec), clock, maxSkew);
  }

  /**
   * @param peers the configured addresses with the key of each (nodes and witness)
   */
  public HeartbeatReceiver(String selfNodeId, HeartbeatPeers peers, Clock clock) {
    this(selfNodeId, peers, clock, DEFAULT_MAX_SKEW);
  }

  public HeartbeatReceiver(String selfNodeId, HeartbeatPeers peers, Clock clock, Duration maxSkew) {
    this(selfNodeId, peers, clock, maxSkew, new RejectionLog(clock));
  }

  HeartbeatReceiver(
      String selfNodeId,
      HeartbeatPeers peers,
      Clock clock,
      Duration maxSkew,
      RejectionLog rejectionLog) {
    Heartbeat.requireNodeId(selfNodeId, "selfNodeId");
    this.selfNodeId = selfNodeId;
    this.peerKeys = Objects.requireNonNull(peers, "peers");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.replayGuard = new ReplayGuard(maxSkew);
    this.skewAlarm = new SkewAlarm(maxSkew);
    this.rejectionLog = rejectionLog;
    for (RejectReason reason : RejectReason.values()) {
      rejections.put(reason, new LongAdder());
    }
  }

  /** Judges one datagram of {@code length} bytes received from {@code source}. Never throws. */
  public synchronized Reception receive(byte[] buf, int length, InetSocketAddress source) {
    Optional<HeartbeatPeers.Peer> peer = peerKeys.at(source);
    if (peer.isEmpty()) {
      return reject(RejectReason.UNKNOWN_NODE, "source is not a configured peer", source);
    }
    DecodeResult decoded = peer.get().codec().decode(buf, length);
    if (decoded instanceof DecodeResult.Rejected rejected) {
      return reject(rejected.reason(), rejected.detail(), source);
    }
    Heartbeat heartbeat = ((DecodeResult.Accepted) decoded).heartbeat();
    if (peer.get().witness()
        && (heartbeat.status().role() != Heartbeat.Role.WITNESS
            || !(heartbeat.command() instanceof HeartbeatCommand.None))) {
      return reject(
          RejectReason.WITNESS_CLAIM,
          "the witness key vouches only for a plain witness heartbeat, but this one from "
              + heartbeat.nodeId()
              + " claims role "
              + heartbeat.status().role().name().toLowerCase(java.util.Locale.ROOT)
              + (heartbeat.command() instanceof HeartbeatCommand.None
                  ? ""
                  : " and carries a "
                      + heartbeat.command().getClass().getSimpleName()
                      + " command"),
          source);
    }
    if (heartbeat.nodeId().equals(selfNodeId)) {
      return reject(
          RejectReason.SELF,
          "claims this node's id " + selfNodeId + " (duplicate node_id or reflected traffic)",
          source);
    }
    Optional<Reception.Rejected> misplaced = binding.check(heartbeat.nodeId(), source, peerKeys);
    if (misplaced.isPresent()) {
      return reject(misplaced.get().reason(), misplaced.get().detail(), source);
    }
    Instant now = clock.instant();
    Optional<Reception.Rejected> stale = replayGuard.check(heartbeat, source, now.toEpochMilli());
    if (stale.isPresent()) {
      if (stale.get().reason() == RejectReason.CLOCK_SKEW) {
        skewAlarm.rejected(
            source, heartbeat.nodeId(), ReplayGuard.skewMillis(heartbeat, now.toEpochMilli()), now);
      }
      return reject(stale.get().reason(), stale.get().detail(), source);
    }
    replayGuard.accept(heartbeat, source);
    binding.pin(heartbeat.nodeId(), source);
    skewAlarm.accepted(source);
    ReceivedHeartbeat received = new ReceivedHeartbeat(heartbeat, source, now, rtt(heartbeat, now));
    peers.record(received);
    accepted.incrementAndGet();
    return new Reception.Accepted(received);
  }

  /**
   * The {@link #CLOCK_SKEW_ALARM} detail while some configured peer's heartbeats keep failing the
   * clock check, else empty.
   */
  public synchronized Optional<String> clockSkewAlarm() {
    return skewAlarm.detail(clock.instant());
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

  /** The codec for datagrams to {@code destination}: the witness key for the witness. */
  HeartbeatCodec codecFor(InetSocketAddress destination) {
    return peerKeys.codecFor(destination);
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
