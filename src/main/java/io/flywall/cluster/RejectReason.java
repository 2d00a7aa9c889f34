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
  /**
   * Sent too far from this node's clock: a capture replayed late, or clocks not synchronised.
   * Checked on every datagram, so old captures cannot be dribbled in to keep a dead peer alive.
   */
  CLOCK_SKEW,
  /** The source address is not a configured peer. */
  UNKNOWN_NODE,
  /** The datagram claims to come from this node. */
  SELF,
  /**
   * The node id does not belong to the address it came from: each configured address speaks for the
   * one node id first heard from it, and each node id for one address.
   */
  WRONG_ADDRESS,
  /**
   * Authenticated with the witness key but claims more than a witness may: a node's role or a
   * command. The witness key vouches for a witness and nothing else.
   */
  WITNESS_CLAIM
}
