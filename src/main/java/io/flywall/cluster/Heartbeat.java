package io.flywall.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One heartbeat as a node sends it: who it is (node id, boot id, sequence, send time), what it
 * advertises ({@link NodeStatus}), the echo that lets the destination measure round-trip time, and
 * an optional command.
 *
 * @param nodeId the sender's node id, 1..64 bytes of UTF-8
 * @param bootId grows across the sender's restarts (see {@link BootId})
 * @param sequence grows with every datagram within one boot
 * @param sendTimeMillis the sender's clock when it sent this, epoch millis
 */
public record Heartbeat(
    String nodeId,
    long bootId,
    long sequence,
    long sendTimeMillis,
    NodeStatus status,
    Echo echo,
    HeartbeatCommand command) {

  /** Longest node id on the wire, in UTF-8 bytes. */
  public static final int MAX_NODE_ID_BYTES = 64;

  public Heartbeat {
    requireNodeId(nodeId, "nodeId");
    requireNonNegative(bootId, "bootId");
    requireNonNegative(sequence, "sequence");
    requireNonNegative(sendTimeMillis, "sendTimeMillis");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(echo, "echo");
    Objects.requireNonNull(command, "command");
  }

  /** The role a node announces. Wire codes are fixed here, never derived from declaration order. */
  public enum Role {
    INIT(0),
    BACKUP(1),
    PRIMARY(2),
    FAULT(3),
    WITNESS(4);

    final int code;

    Role(int code) {
      this.code = code;
    }

    static Role ofCode(int code) {
      for (Role role : values()) {
        if (role.code == code) {
          return role;
        }
      }
      return null;
    }
  }

  /** Health and readiness bits; each has a fixed bit on the wire. */
  public enum Flag {
    HEALTHY(0),
    IN_SYNC(1),
    FAILBACK_ARMED(2),
    STARTUP_HOLD(3),
    HAS_QUORUM(4),
    /**
     * Added within version 1 (receivers ignore unknown bits): the sender is in standby. A node of
     * an older release ignores it and may still count the sender as a candidate.
     */
    STANDBY(5),
    /**
     * Added within version 1: the sender's monitors were not judged yet (it is starting), so it
     * cannot say it is healthy; it is not known to be unhealthy either. Peers wait for such a node
     * for a while before they elect another (DESIGN 10.1). A node of an older release ignores it
     * and counts the sender as unhealthy.
     */
    HEALTH_PENDING(6);

    final int bit;

    Flag(int bit) {
      this.bit = bit;
    }
  }

  /**
   * What the sender last heard from the destination: the destination's own send time of that
   * heartbeat and how long the sender held it. The destination computes {@code rtt = now -
   * echoTimeMillis - echoDelayMillis} on its own clock.
   */
  public record Echo(long echoTimeMillis, long echoDelayMillis) {
    public static final Echo NONE = new Echo(0, 0);

    public Echo {
      requireNonNegative(echoTimeMillis, "echoTimeMillis");
      requireNonNegative(echoDelayMillis, "echoDelayMillis");
    }

    public boolean present() {
      return echoTimeMillis != 0;
    }
  }

  /**
   * The sender's view of the quorum: how many voters (itself included) it currently sees and which
   * primary it follows ("" when none).
   */
  public record QuorumView(int visibleVoters, String followedPrimary) {
    public static final QuorumView NONE = new QuorumView(0, "");

    public QuorumView {
      if (visibleVoters < 0 || visibleVoters > 255) {
        throw new IllegalArgumentException("visibleVoters must be 0..255, got " + visibleVoters);
      }
      Objects.requireNonNull(followedPrimary, "followedPrimary");
      if (!followedPrimary.isEmpty()) {
        requireNodeId(followedPrimary, "followedPrimary");
      }
    }
  }

  static void requireNodeId(String nodeId, String what) {
    Objects.requireNonNull(nodeId, what);
    int bytes = nodeId.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_NODE_ID_BYTES) {
      throw new IllegalArgumentException(
          what + " must be 1.." + MAX_NODE_ID_BYTES + " bytes of UTF-8, got " + bytes);
    }
  }

  static void requireNonNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must not be negative, got " + value);
    }
  }
}
