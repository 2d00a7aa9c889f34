package io.flywall.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The API's JSON documents, field for field as DESIGN section 8 names them (the mapper writes
 * snake_case). Times are ISO-8601 strings; absent values are null.
 */
public final class ApiModel {
  private ApiModel() {}

  public record HaStatus(
      String nodeId,
      String role,
      long epoch,
      int priority,
      boolean healthy,
      String primaryId,
      Quorum quorum,
      List<Vip> vips,
      Failback failback,
      String since,
      List<Alarm> alarms,
      String healthCause,
      ConntrackSync conntrackSync,
      boolean standby) {
    /** Without connection-state sync (conntrack_sync is null in the JSON). */
    public HaStatus(
        String nodeId,
        String role,
        long epoch,
        int priority,
        boolean healthy,
        String primaryId,
        Quorum quorum,
        List<Vip> vips,
        Failback failback,
        String since,
        List<Alarm> alarms,
        String healthCause) {
      this(
          nodeId,
          role,
          epoch,
          priority,
          healthy,
          primaryId,
          quorum,
          vips,
          failback,
          since,
          alarms,
          healthCause,
          null,
          false);
    }
  }

  /**
   * conntrackd as status shows it: state (disabled, unavailable, starting, running, restarting)
   * with why, the sync link, cache sizes (internal = own connections, external = the peers') and
   * sync messages; numbers are null until conntrackd answered once. With several peers the
   * top-level numbers sum up {@code peers}, one entry per conntrackd channel.
   */
  public record ConntrackSync(
      String state,
      String detail,
      @JsonProperty("interface") String interfaceName,
      String peerAddress,
      Long internalEntries,
      Long externalEntries,
      Long messagesSent,
      Long messagesReceived,
      Long messagesLost,
      boolean peerSilent,
      String lastPeerMessage,
      long restarts,
      Long lastCommitMs,
      List<ConntrackPeer> peers) {}

  /** One conntrackd channel: the peer and UDP port it syncs with and what it has heard. */
  public record ConntrackPeer(
      String address,
      int port,
      String state,
      boolean peerSilent,
      String lastPeerMessage,
      Long externalEntries,
      Long messagesReceived,
      long restarts) {}

  public record Quorum(int required, int visible, boolean hasQuorum) {}

  public record Vip(
      String address, @JsonProperty("interface") String interfaceName, boolean held) {}

  public record Failback(String mode, boolean enabled, String pendingUntil) {}

  public record Alarm(String name, String detail, String since) {}

  public record ClusterInfo(long epoch, String primaryId, List<ClusterNode> nodes) {}

  /**
   * One node of the cluster view. A configured peer never heard from has {@code nodeId}, {@code
   * role}, {@code priority}, {@code epoch} and {@code replicationPosition} null, {@code alive}
   * false and {@code address} as configured.
   */
  public record ClusterNode(
      String nodeId,
      String role,
      Integer priority,
      boolean alive,
      boolean healthy,
      Long lastSeenMs,
      Double rttMs,
      Long epoch,
      Long replicationPosition,
      Boolean inSync,
      String address,
      Boolean standby) {

    /** A configured peer (or witness) this node has never heard from. */
    public static ClusterNode neverHeard(String address) {
      return new ClusterNode(
          null, null, null, false, false, null, null, null, null, null, address, null);
    }
  }

  public record HistoryEntry(
      long id,
      String time,
      String type,
      String fromRole,
      String toRole,
      String nodeId,
      long epoch,
      String cause,
      long durationMs,
      List<HistoryStep> steps) {}

  /** {@code skipped}: not run (or stopped) because the role changed before it was due. */
  public record HistoryStep(String name, long durationMs, boolean ok, boolean skipped) {}

  /** The answer to an operator command: accepted (202) or refused with a reason (409). */
  public record CommandOutcome(boolean accepted, String message, String from, String to) {
    public static CommandOutcome accepted(String message) {
      return new CommandOutcome(true, message, null, null);
    }

    public static CommandOutcome refused(String message) {
      return new CommandOutcome(false, message, null, null);
    }
  }

  public record ApiErrorBody(String error, String code) {}
}
