package io.flywall.failover;

import java.time.Duration;
import java.util.Objects;

/**
 * The part of the HA config the controller needs.
 *
 * @param configuredPeers other nodes, counting neither this node nor the witness
 * @param probeBeforeClaim any VIP has {@code arp_ping}: probe the LAN before claiming
 * @param startupHold a starting node claims nothing before it has heard every configured peer or
 *     this long has passed
 */
public record ControllerSettings(
    String nodeId,
    int priority,
    FailbackMode failbackMode,
    Duration failbackDelay,
    Duration failbackWindow,
    Duration heartbeatInterval,
    Duration failureTimeout,
    QuorumMode quorumMode,
    int configuredPeers,
    boolean hasWitness,
    boolean probeBeforeClaim,
    Duration startupHold) {

  public ControllerSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(failbackMode, "failbackMode");
    Objects.requireNonNull(failbackDelay, "failbackDelay");
    Objects.requireNonNull(failbackWindow, "failbackWindow");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(failureTimeout, "failureTimeout");
    Objects.requireNonNull(quorumMode, "quorumMode");
    Objects.requireNonNull(startupHold, "startupHold");
    if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
      throw new IllegalArgumentException("heartbeatInterval must be positive");
    }
    if (failureTimeout.compareTo(heartbeatInterval) < 0) {
      throw new IllegalArgumentException("failureTimeout must be at least one heartbeatInterval");
    }
    if (failbackDelay.isNegative() || failbackWindow.isNegative()) {
      throw new IllegalArgumentException("failback delay and window must not be negative");
    }
    if (startupHold.isNegative()) {
      throw new IllegalArgumentException("startupHold must not be negative");
    }
    if (configuredPeers < 0) {
      throw new IllegalArgumentException("configuredPeers must not be negative");
    }
  }
}
