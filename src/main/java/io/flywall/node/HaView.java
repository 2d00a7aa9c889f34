package io.flywall.node;

import io.flywall.api.ApiModel;
import io.flywall.api.ApiModel.ClusterInfo;
import io.flywall.api.ApiModel.ClusterNode;
import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.api.ApiModel.HaStatus;
import io.flywall.api.ApiModel.HistoryEntry;
import io.flywall.api.HaService;
import io.flywall.cluster.HeartbeatReceiver;
import io.flywall.cluster.PeerStatus;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.failover.Command;
import io.flywall.failover.CommandReply;
import io.flywall.failover.ControllerView;
import io.flywall.failover.FailoverController;
import io.flywall.failover.Role;
import io.flywall.network.VipGroup;
import io.flywall.state.History;
import io.flywall.state.HistoryEvent;
import io.flywall.state.StateStoreException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@link HaService} the API serves: this node's status, its view of the cluster and history,
 * and operator commands, all answered from the controller on its own loop.
 */
final class HaView implements HaService {
  private final ClusterPlan plan;
  private static final Duration STANDBY_POLL = Duration.ofMillis(20);
  private final Clock clock;
  private final ControllerLoop loop;
  private final HeartbeatReceiver receiver;
  private final History history;
  private final VipGroup vips;
  private final ConnectionSync connectionSync;
  private final Supplier<Map<String, String>> replicationAlarms;
  private final Supplier<CommandOutcome> reload;

  /**
   * @param replicationAlarms replication's raised alarms by name (a stream failing again and again)
   */
  HaView(
      ClusterPlan plan,
      Clock clock,
      ControllerLoop loop,
      HeartbeatReceiver receiver,
      History history,
      VipGroup vips,
      ConnectionSync connectionSync,
      Supplier<Map<String, String>> replicationAlarms,
      Supplier<CommandOutcome> reload) {
    this.reload = reload;
    this.plan = plan;
    this.clock = clock;
    this.loop = loop;
    this.receiver = receiver;
    this.history = history;
    this.vips = vips;
    this.connectionSync = connectionSync;
    this.replicationAlarms = replicationAlarms;
  }

  @Override
  public HaStatus status() {
    ControllerView view = loop.view();
    List<ApiModel.Vip> vipList =
        vips.state().stream()
            .map(v -> new ApiModel.Vip(v.address(), v.interfaceName(), v.held()))
            .collect(Collectors.toList());
    List<ApiModel.Alarm> alarms =
        view.alarms().stream()
            .map(a -> new ApiModel.Alarm(a.name(), a.detail(), null))
            .collect(Collectors.toList());
    var sync = connectionSync.status();
    loop.clockSkewDetail()
        .ifPresent(
            detail ->
                alarms.add(new ApiModel.Alarm(HeartbeatReceiver.CLOCK_SKEW_ALARM, detail, null)));
    sync.alarms().forEach((name, detail) -> alarms.add(new ApiModel.Alarm(name, detail, null)));
    vips.alarms().forEach((name, detail) -> alarms.add(new ApiModel.Alarm(name, detail, null)));
    replicationAlarms
        .get()
        .forEach((name, detail) -> alarms.add(new ApiModel.Alarm(name, detail, null)));
    return new HaStatus(
        view.nodeId(),
        roleName(view.role()),
        view.epoch(),
        view.priority(),
        view.healthy(),
        view.primaryId().orElse(null),
        new ApiModel.Quorum(
            view.quorum().required(), view.quorum().visible(), view.quorum().hasQuorum()),
        vipList,
        new ApiModel.Failback(
            view.failback().mode().name().toLowerCase(),
            view.failback().enabled(),
            view.failback().pendingUntil().map(Instant::toString).orElse(null)),
        view.since().toString(),
        alarms,
        view.healthy() ? null : loop.healthCause(),
        ConntrackReporting.document(sync),
        view.standby());
  }

  @Override
  public ClusterInfo cluster() {
    Instant now = clock.instant();
    ControllerView view = loop.view();
    List<ClusterNode> nodes = new ArrayList<>();
    nodes.add(
        new ClusterNode(
            view.nodeId(),
            roleName(view.role()),
            view.priority(),
            true,
            view.healthy(),
            0L,
            null,
            view.epoch(),
            0L,
            view.inSync(),
            address(plan.heartbeatBind()),
            view.standby()));
    List<InetSocketAddress> heardFrom = new ArrayList<>();
    for (ControllerView.Peer peer : view.peers()) {
      Optional<PeerStatus> wire = receiver.peers().get(peer.nodeId());
      wire.ifPresent(w -> heardFrom.add(w.address()));
      nodes.add(
          new ClusterNode(
              peer.nodeId(),
              peer.witness() ? "witness" : roleName(peer.role()),
              peer.priority(),
              peer.alive(),
              peer.healthy(),
              Duration.between(peer.lastSeen(), now).toMillis(),
              wire.flatMap(PeerStatus::rtt).map(rtt -> rtt.toNanos() / 1e6).orElse(null),
              peer.epoch(),
              peer.replicationPosition(),
              peer.inSync(),
              wire.map(w -> address(w.address())).orElse(null),
              peer.standby()));
    }
    for (InetSocketAddress configured : plan.destinations()) {
      if (!heard(configured, heardFrom)) {
        nodes.add(ClusterNode.neverHeard(address(configured)));
      }
    }
    return new ClusterInfo(view.epoch(), view.primaryId().orElse(null), nodes);
  }

  /**
   * Whether heartbeats came from a configured address: from it exactly, or from its IP when no
   * other configured destination has that IP (a peer may send from another port).
   */
  private boolean heard(InetSocketAddress configured, List<InetSocketAddress> heardFrom) {
    if (heardFrom.contains(configured)) {
      return true;
    }
    long sameIp =
        plan.destinations().stream()
            .filter(d -> d.getAddress().equals(configured.getAddress()))
            .count();
    return sameIp == 1
        && heardFrom.stream().anyMatch(h -> h.getAddress().equals(configured.getAddress()));
  }

  private static String address(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  @Override
  public List<HistoryEntry> history(int limit) {
    try {
      return history.newest(limit).stream().map(HaView::entry).collect(Collectors.toList());
    } catch (StateStoreException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static HistoryEntry entry(HistoryEvent e) {
    return new HistoryEntry(
        e.id(),
        e.time().toString(),
        e.type(),
        e.fromRole(),
        e.toRole(),
        e.nodeId(),
        e.epoch(),
        e.cause(),
        e.durationMs(),
        e.steps().stream()
            .map(s -> new ApiModel.HistoryStep(s.name(), s.durationMs(), s.ok(), s.skipped()))
            .collect(Collectors.toList()));
  }

  @Override
  public CommandOutcome failover(Optional<String> target) {
    return command(new Command.Failover(target));
  }

  @Override
  public CommandOutcome setFailback(boolean enabled) {
    return command(new Command.SetFailback(enabled));
  }

  @Override
  public CommandOutcome promote(boolean force) {
    return command(new Command.Promote(force));
  }

  @Override
  public CommandOutcome reset() {
    return command(new Command.Reset());
  }

  @Override
  public CommandOutcome reload() {
    return reload.get();
  }

  /**
   * Standby of this node, or of another one: that node gets the request in this node's heartbeats,
   * applies and persists it, and shows it in its own; the answer waits for that (two failure
   * timeouts at most) and is a refusal if it does not come.
   */
  @Override
  public CommandOutcome standby(Optional<String> node, boolean on) {
    if (node.isEmpty() || node.get().equals(plan.nodeId())) {
      return command(new Command.Standby(on));
    }
    String target = node.get();
    CommandOutcome asked = command(new Command.StandbyOf(target, on));
    if (!asked.accepted() || !asked.message().startsWith("asked ")) {
      return asked;
    }
    Duration wait = FailoverController.standbyAnswerWait(plan.controller().failureTimeout());
    Instant deadline = clock.instant().plus(wait);
    while (clock.instant().isBefore(deadline)) {
      if (peerStandby(target).orElse(!on) == on) {
        return CommandOutcome.accepted(
            target
                + (on
                    ? " is in standby (asked on "
                        + plan.nodeId()
                        + "): not eligible for the primary role until unstandby"
                    : " is out of standby (asked on " + plan.nodeId() + ")"));
      }
      try {
        Thread.sleep(STANDBY_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return CommandOutcome.refused(
        target
            + " did not show "
            + (on ? "standby" : "unstandby")
            + " within "
            + wait.toMillis()
            + " ms of being asked: it refuses standby while primary with no other node able to"
            + " take the role, or it stopped hearing this node; see 'flywall ha history' on "
            + target);
  }

  private Optional<Boolean> peerStandby(String node) {
    return loop.view().peers().stream()
        .filter(p -> p.nodeId().equals(node))
        .findFirst()
        .map(ControllerView.Peer::standby);
  }

  private CommandOutcome command(Command command) {
    CommandReply reply = loop.command(command);
    return new CommandOutcome(
        reply.accepted(), reply.message(), reply.from().orElse(null), reply.to().orElse(null));
  }

  static String roleName(Role role) {
    return role.name().toLowerCase();
  }
}
