package io.flywall.network;

import java.util.Set;
import java.util.stream.Collectors;

/** A tool the config needs but PATH lacks, and the features that need it. */
public record MissingTool(Tool tool, Set<NetworkFeature> neededFor) {

  public MissingTool {
    neededFor = Set.copyOf(neededFor);
  }

  /**
   * What to tell the operator, e.g. "arping not found on PATH: install the Debian package
   * iputils-arping (needed for gratuitous ARP)".
   */
  public String message() {
    return tool.command()
        + " not found on PATH: install the Debian package "
        + tool.debianPackage()
        + " (needed for "
        + neededFor.stream()
            .sorted()
            .map(NetworkFeature::description)
            .collect(Collectors.joining(", "))
        + ")";
  }
}
