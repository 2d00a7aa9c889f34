package io.flywall.node;

import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;

/** Builds the real external effects (VIPs, scripts) a config asks for, or says why it cannot. */
public final class NodeEffects {
  private NodeEffects() {}

  public static Daemon.Effects real(FlywallConfig config) throws NodeStartException {
    HaConfig ha = config.replication().ha().orElseThrow(() -> new NodeStartException("no ha block"));
    if (!ha.virtualIps().isEmpty()) {
      throw new NodeStartException("this build has no VIP backend yet, so it refuses virtual_ip blocks rather than pretend"
          + " to hold them; remove them to run heartbeats and elections only");
    }
    if (ha.preFailoverScript().isPresent() || ha.postFailoverScript().isPresent()) {
      throw new NodeStartException("this build cannot run failover scripts yet; remove pre/post_failover_script");
    }
    if (ha.conntrackSync().map(c -> c.enabled()).orElse(false)) {
      throw new NodeStartException("this build cannot drive conntrackd yet; set conntrack_sync { enabled = false }");
    }
    return new Daemon.Effects(VipGroup.none(), FailoverScripts.none());
  }
}
