package io.flywall.node;

import io.flywall.api.ApiModel;
import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.conntrack.ConntrackdStats;
import io.flywall.conntrack.SyncObserver;
import io.flywall.conntrack.SyncStatus;
import io.flywall.state.History;
import io.flywall.state.HistoryEvent;
import io.flywall.state.StateStoreException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what connection-state sync reports into the node's metrics, live monitor and history, so a
 * conntrackd that died or went silent is seen where every other alarm is.
 */
final class ConntrackReporting implements SyncObserver {
  private static final Logger log = LoggerFactory.getLogger(ConntrackReporting.class);

  private final String nodeId;
  private final Clock clock;
  private final HaMetrics metrics;
  private final MonitorFeed monitor;
  private final History history;
  private final Supplier<ApiModel.HaStatus> node;

  ConntrackReporting(
      String nodeId,
      Clock clock,
      HaMetrics metrics,
      MonitorFeed monitor,
      History history,
      Supplier<ApiModel.HaStatus> node) {
    this.nodeId = nodeId;
    this.clock = clock;
    this.metrics = metrics;
    this.monitor = monitor;
    this.history = history;
    this.node = node;
  }

  @Override
  public void status(SyncStatus status) {
    ConntrackdStats stats = status.stats().orElse(null);
    metrics.conntrackSync(
        status.healthy(),
        stats == null ? -1 : stats.internalEntries(),
        stats == null ? -1 : stats.externalEntries(),
        stats == null ? -1 : stats.messagesSent(),
        stats == null ? -1 : stats.messagesReceived(),
        stats == null ? -1 : stats.messagesLost(),
        status.restarts(),
        status.lastCommit().map(d -> d.toNanos() / 1e9).orElse(-1.0));
  }

  @Override
  public void alarm(String name, String detail, boolean raised) {
    metrics.alarm(name, raised);
    AlarmNotice.tell(log, monitor, clock.instant(), name, detail, raised);
    record(raised ? name : name + "_cleared", detail);
  }

  /** A one-off event (a replaced orphaned conntrackd): in the history, where failovers are read. */
  @Override
  public void event(String name, String detail) {
    record(name, detail);
  }

  private void record(String type, String detail) {
    String role = "unknown";
    long epoch = 0;
    try {
      ApiModel.HaStatus status = node.get();
      role = status.role();
      epoch = status.epoch();
    } catch (RuntimeException e) {
      log.debug("{} recorded without the node's role: {}", type, e.getMessage());
    }
    try {
      history.append(
          new HistoryEvent(
              0, clock.instant(), type, role, role, nodeId, epoch, detail, 0, List.of()));
    } catch (StateStoreException e) {
      log.error("cannot record {} in the history: {}", type, e.getMessage());
    }
  }

  /** The status document's {@code conntrack_sync}; null when sync is not configured. */
  static ApiModel.ConntrackSync document(SyncStatus status) {
    if (!status.enabled()) {
      return null;
    }
    ConntrackdStats stats = status.stats().orElse(null);
    return new ApiModel.ConntrackSync(
        status.state(),
        status.detail(),
        status.syncInterface().orElse(null),
        status.peerAddress().orElse(null),
        stats == null ? null : stats.internalEntries(),
        stats == null ? null : stats.externalEntries(),
        stats == null ? null : stats.messagesSent(),
        stats == null ? null : stats.messagesReceived(),
        stats == null ? null : stats.messagesLost(),
        status.peerSilent(),
        status.lastPeerMessage().map(Object::toString).orElse(null),
        status.restarts(),
        status.lastCommit().map(Duration::toMillis).orElse(null),
        status.peers().stream()
            .map(
                peer ->
                    new ApiModel.ConntrackPeer(
                        peer.address(),
                        peer.port(),
                        peer.state(),
                        peer.silent(),
                        peer.lastMessage().map(Object::toString).orElse(null),
                        peer.stats().map(ConntrackdStats::externalEntries).orElse(null),
                        peer.stats().map(ConntrackdStats::messagesReceived).orElse(null),
                        peer.restarts()))
            .collect(Collectors.toList()));
  }
}
