package io.flywall.state;

import java.util.Optional;

/**
 * Who may write: only the primary, under the epoch it was elected in. A refused write names the
 * primary when this node knows it, so the caller can go there.
 */
final class WriteGate {
  private final String nodeId;

  private volatile long epoch;
  private volatile boolean open;
  private volatile Optional<String> primary = Optional.empty();

  WriteGate(String nodeId) {
    this.nodeId = nodeId;
  }

  void open(long newEpoch) {
    epoch = newEpoch;
    open = true;
    primary = Optional.of(nodeId);
  }

  void close(Optional<String> newPrimary) {
    open = false;
    primary = newPrimary;
  }

  boolean isOpen() {
    return open;
  }

  /** The epoch writes are logged under now; refuses when this node is not the primary. */
  long epoch() throws NotPrimaryException {
    if (!open) {
      throw new NotPrimaryException(primary);
    }
    return epoch;
  }

  /** The epoch of the last time this node was primary (merges re-log under it). */
  long lastEpoch() {
    return epoch;
  }
}
