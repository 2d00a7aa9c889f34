package io.flywall.api;

import io.flywall.api.ApiModel.ClusterInfo;
import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.api.ApiModel.HaStatus;
import io.flywall.api.ApiModel.HistoryEntry;
import java.util.List;
import java.util.Optional;

/** What the API needs from a running node; the node implements it, tests fake it. */
public interface HaService {
  HaStatus status();

  ClusterInfo cluster();

  List<HistoryEntry> history(int limit);

  CommandOutcome failover(Optional<String> target);

  CommandOutcome setFailback(boolean enabled);

  CommandOutcome promote(boolean force);

  CommandOutcome reset();

  /** Re-reads the config file and applies what can change live, or refuses saying why. */
  default CommandOutcome reload() {
    return CommandOutcome.refused("this node cannot reload its config");
  }

  /** Puts {@code node} (default: this node) in standby, or takes it out. */
  CommandOutcome standby(Optional<String> node, boolean on);
}
