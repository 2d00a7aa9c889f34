package io.flywall.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a node advertises in every heartbeat: its fencing epoch, role, election priority, health
 * flags, where its replication listener is and how far its state has got, and its quorum view.
 *
 * @param priority lower is preferred; 0..32767 (a short on the wire)
 * @param replicationAddress "host:port" of the replication listener, "" when none; at most 200
 *     bytes so that every heartbeat fits the 512-byte limit
 */
public record NodeStatus(
    long epoch,
    Heartbeat.Role role,
    int priority,
    Set<Heartbeat.Flag> flags,
    String replicationAddress,
    long replicationPosition,
    Heartbeat.QuorumView quorum,
    long failbackVersion) {

  public static final int MAX_REPLICATION_ADDRESS_BYTES = 200;

  public NodeStatus {
    Heartbeat.requireNonNegative(epoch, "epoch");
    Objects.requireNonNull(role, "role");
    if (priority < 0 || priority > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          "priority must be 0.." + Short.MAX_VALUE + ", got " + priority);
    }
    flags =
        flags.isEmpty()
            ? Collections.unmodifiableSet(EnumSet.noneOf(Heartbeat.Flag.class))
            : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    Objects.requireNonNull(replicationAddress, "replicationAddress");
    int addressBytes = replicationAddress.getBytes(StandardCharsets.UTF_8).length;
    if (addressBytes > MAX_REPLICATION_ADDRESS_BYTES) {
      throw new IllegalArgumentException(
          "replicationAddress must be at most "
              + MAX_REPLICATION_ADDRESS_BYTES
              + " bytes, got "
              + addressBytes);
    }
    Heartbeat.requireNonNegative(replicationPosition, "replicationPosition");
    Objects.requireNonNull(quorum, "quorum");
    Heartbeat.requireNonNegative(failbackVersion, "failbackVersion");
  }

  /** A status that carries no failback setting yet (version 0). */
  public NodeStatus(
      long epoch,
      Heartbeat.Role role,
      int priority,
      Set<Heartbeat.Flag> flags,
      String replicationAddress,
      long replicationPosition,
      Heartbeat.QuorumView quorum) {
    this(epoch, role, priority, flags, replicationAddress, replicationPosition, quorum, 0);
  }

  public boolean has(Heartbeat.Flag flag) {
    return flags.contains(flag);
  }
}
