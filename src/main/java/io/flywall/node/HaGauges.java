package io.flywall.node;

import io.flywall.api.HaMetrics;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.PeerStatus;
import io.flywall.failover.ControllerView;
import io.flywall.failover.FailoverController;
import io.flywall.failover.Role;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Sets the HA gauges (role, epoch, health, quorum, alarms, peers) from the controller's view. */
final class HaGauges {
  private final HaMetrics metrics;
  // Every plane alarm ever raised: its gauge goes back to 0 once cleared.
  private final Set<String> planeAlarms = new TreeSet<>();

  HaGauges(HaMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * {@code raisedByPlane}: the network plane's alarms now (name to detail), shown as the {@code
   * alarm} gauge like the controller's.
   */
  void refresh(
      ControllerView view,
      HeartbeatReceiver receiver,
      Map<String, String> raisedByPlane,
      Instant now) {
    metrics.role(
        view.role().name().toLowerCase(),
        EnumSet.of(Role.INIT, Role.BACKUP, Role.PRIMARY, Role.FAULT).stream()
            .map(r -> r.name().toLowerCase())
            .collect(Collectors.toList()));
    metrics.epoch(view.epoch());
    metrics.healthy(view.healthy());
    metrics.quorum(view.quorum().visible(), view.quorum().required());
    // The controller's view is the truth about alarms; the gauge follows it every tick.
    metrics.alarm(
        FailoverController.SPLIT_BRAIN_RISK,
        view.alarms().stream().anyMatch(a -> a.name().equals(FailoverController.SPLIT_BRAIN_RISK)));
    planeAlarms.addAll(raisedByPlane.keySet());
    for (String name : planeAlarms) {
      metrics.alarm(name, raisedByPlane.containsKey(name));
    }
    receiver
        .rejections()
        .forEach((reason, count) -> metrics.heartbeatsRejected(reason.name(), count));
    for (PeerStatus peer : receiver.peers().all()) {
      metrics.peer(
          peer.nodeId(),
          Duration.between(peer.lastSeen(), now).toMillis() / 1000.0,
          peer.rtt().map(rtt -> rtt.toNanos() / 1e6).orElse(-1.0));
    }
  }
}
