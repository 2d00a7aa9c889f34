package io.flywall.cluster;

/** Why a received datagram was dropped. */
public enum RejectReason {
  /** Not a well-formed heartbeat (bad magic, truncated, bad field). */
  MALFORMED,
  /** Longer than {@link HeartbeatCodec#MAX_DATAGRAM_BYTES}. */
  OVERSIZED,
  /** A protocol version this node does not speak. */
  BAD_VERSION,
  /** The MAC does not verify: wrong secret or tampered datagram. */
  FORGED,
  /** (boot id, sequence) not greater than the last accepted from this node. */
  REPLAYED,
  /** First datagram from a node whose send time is too far from this node's clock. */
  CLOCK_SKEW,
  /** The source address is not a configured peer. */
  UNKNOWN_NODE,
  /** The datagram claims to come from this node. */
  SELF
}
