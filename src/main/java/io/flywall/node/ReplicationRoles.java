package io.flywall.node;

import io.flywall.failover.Role;
import io.flywall.replication.Replication;
import io.flywall.state.NodeMeta;
import io.flywall.state.StateStoreException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Carries out the controller's "switch replication role": a primary serves the stream under the
 * epoch just persisted; any other role follows the current primary.
 */
final class ReplicationRoles {
  // Started after the first heartbeats; the controller switches roles only once it ticks, later.
  private final Supplier<Replication> replication;
  private final NodeMeta meta;
  private final Supplier<Optional<String>> primaryId;

  ReplicationRoles(
      Supplier<Replication> replication, NodeMeta meta, Supplier<Optional<String>> primaryId) {
    this.replication = replication;
    this.meta = meta;
    this.primaryId = primaryId;
  }

  /** Switches; for a primary returns its log position (a primary is in sync by definition). */
  OptionalLong switchTo(Role role) throws StateStoreException {
    if (role == Role.PRIMARY) {
      // PersistEpoch ran just before: the durable epoch is the one this primary writes under.
      replication.get().becomePrimary(meta.epoch());
      return OptionalLong.of(replication.get().store().position());
    }
    replication.get().becomeReplica(primaryId.get());
    return OptionalLong.empty();
  }
}
