package io.flywall.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code api} block: where the HTTP API listens, its token file, who may call it and how many
 * monitor streams it serves at once.
 */
public record ApiConfig(HostPort listen, Path tokenFile, List<Cidr> allow, int maxMonitors) {
  public static final int DEFAULT_MAX_MONITORS = 32;

  public ApiConfig {
    allow = List.copyOf(allow);
  }
}
