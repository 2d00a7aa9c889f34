package io.flywall.network;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a pre/post failover script: what it is told and how long it may take. {@code vips} are
 * CIDRs such as {@code 10.0.0.100/24}.
 */
public record ScriptInvocation(
    Path script,
    String nodeId,
    String event,
    String oldRole,
    String newRole,
    long epoch,
    String cause,
    List<String> vips,
    Duration timeout) {

  public ScriptInvocation {
    vips = List.copyOf(vips);
    cause = cause == null ? "" : cause;
  }

  /** DESIGN.md section 4: argv {@code EVENT OLD_ROLE NEW_ROLE EPOCH}. */
  public List<String> argv() {
    return List.of(script.toString(), event, oldRole, newRole, Long.toString(epoch));
  }

  /** DESIGN.md section 4: the FLYWALL_* environment, added to the daemon's own. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FLYWALL_NODE_ID", nodeId);
    env.put("FLYWALL_EVENT", event);
    env.put("FLYWALL_OLD_ROLE", oldRole);
    env.put("FLYWALL_NEW_ROLE", newRole);
    env.put("FLYWALL_EPOCH", Long.toString(epoch));
    env.put("FLYWALL_CAUSE", cause);
    env.put("FLYWALL_VIPS", String.join(",", vips));
    return env;
  }
}
