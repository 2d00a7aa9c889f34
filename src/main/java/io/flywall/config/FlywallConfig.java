package io.flywall.config;

import java.util.Objects;

/** The whole effective config of one node, defaults filled in. */
public record FlywallConfig(ReplicationConfig replication, ApiConfig api) {
  public FlywallConfig {
    Objects.requireNonNull(replication, "replication");
    Objects.requireNonNull(api, "api");
  }

  /** The HA settings, present only when an {@code ha} block exists and is enabled. */
  public java.util.Optional<HaConfig> haEnabled() {
    return replication.ha().filter(HaConfig::enabled);
  }
}
