package io.flywall.config;

import java.nio.file.Path;
import java.util.List;

/** The {@code api} block: where the HTTP API listens, its token file and who may call it. */
public record ApiConfig(HostPort listen, Path tokenFile, List<Cidr> allow) {
  public ApiConfig {
    allow = List.copyOf(allow);
  }
}
