package io.flywall.api;

import io.flywall.api.ApiModel.Alarm;
import io.flywall.api.ApiModel.ClusterInfo;
import io.flywall.api.ApiModel.ClusterNode;
import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.api.ApiModel.Failback;
import io.flywall.api.ApiModel.HaStatus;
import io.flywall.api.ApiModel.HistoryEntry;
import io.flywall.api.ApiModel.HistoryStep;
import io.flywall.api.ApiModel.Quorum;
import io.flywall.api.ApiModel.Vip;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A node that answers with fixed documents and records the commands it was given. */
final class FakeHaService implements HaService {
  final List<String> commands = new ArrayList<>();
  boolean refuseFailover;

  @Override
  public HaStatus status() {
    return new HaStatus(
        "node1",
        "primary",
        3,
        50,
        true,
        "node1",
        new Quorum(2, 3, true),
        List.of(new Vip("10.0.0.100/24", "eth1", true)),
        new Failback("auto", true, null),
        "2026-11-26T10:00:00Z",
        List.<Alarm>of(),
        null);
  }

  @Override
  public ClusterInfo cluster() {
    return new ClusterInfo(
        3,
        "node1",
        List.of(
            new ClusterNode(
                "node1",
                "primary",
                50,
                true,
                true,
                0L,
                null,
                3L,
                0L,
                true,
                "127.0.0.1:9002",
                false),
            new ClusterNode(
                "node2",
                "backup",
                100,
                true,
                true,
                420L,
                0.3,
                3L,
                0L,
                true,
                "127.0.0.2:9002",
                false),
            ClusterNode.neverHeard("127.0.0.3:9002")));
  }

  @Override
  public List<HistoryEntry> history(int limit) {
    commands.add("history " + limit);
    return List.of(
        new HistoryEntry(
            7,
            "2026-11-26T10:00:00Z",
            "takeover",
            "backup",
            "primary",
            "node1",
            3,
            "peer node2 silent for 3s",
            12,
            List.of(new HistoryStep("persist_epoch", 2, true, false))));
  }

  @Override
  public CommandOutcome failover(Optional<String> target) {
    commands.add("failover " + target.orElse("-"));
    if (refuseFailover) {
      return CommandOutcome.refused(
          "no eligible target: no other node is alive, healthy and in sync");
    }
    return new CommandOutcome(true, "handing over", "node1", target.orElse("node2"));
  }

  @Override
  public CommandOutcome standby(Optional<String> node, boolean on) {
    commands.add("standby " + node.orElse("-") + " " + on);
    return CommandOutcome.accepted(on ? "in standby" : "out of standby");
  }

  @Override
  public CommandOutcome setFailback(boolean enabled) {
    commands.add("failback " + enabled);
    return CommandOutcome.accepted("failback " + (enabled ? "enabled" : "disabled"));
  }

  @Override
  public CommandOutcome promote(boolean force) {
    commands.add("promote " + force);
    return force
        ? CommandOutcome.accepted("promoting")
        : CommandOutcome.refused("promote refused: no quorum; use --force");
  }

  @Override
  public CommandOutcome reset() {
    commands.add("reset");
    return CommandOutcome.accepted("reset");
  }
}
