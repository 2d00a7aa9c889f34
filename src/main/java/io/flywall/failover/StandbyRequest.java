package io.flywall.failover;

import java.util.Objects;

/**
 * An operator's standby or unstandby of another node, carried in the heartbeats of the node it was
 * asked on until the target shows it (or it expires). The target applies each request once: {@code
 * id} grows with every request of the asking node, also across its restarts.
 *
 * @param node the node asked to go into standby ({@code on}) or out of it
 */
public record StandbyRequest(String node, boolean on, long id) {
  public StandbyRequest {
    Objects.requireNonNull(node, "node");
  }
}
