package io.flywall.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code ha} block: election, failure detection, health monitors, scripts and VIPs. */
public record HaConfig(
    boolean enabled,
    int priority,
    FailbackMode failbackMode,
    Duration failbackDelay,
    Duration failbackWindow,
    Duration heartbeatInterval,
    int failureThreshold,
    Duration failureTimeout,
    Duration startupHold,
    int heartbeatPort,
    List<String> monitorLinks,
    List<InetAddress> monitorGateways,
    Optional<Path> preFailoverScript,
    Optional<Path> postFailoverScript,
    Duration scriptTimeout,
    QuorumMode quorum,
    Optional<HostPort> witnessAddr,
    List<VirtualIpConfig> virtualIps,
    Optional<ConntrackSyncConfig> conntrackSync) {

  /** The heartbeat port used when no {@code ha} block sets one. */
  public static final int DEFAULT_HEARTBEAT_PORT = 9002;

  /** When the preferred node takes the primary role back after it recovers. */
  public enum FailbackMode {
    AUTO,
    MANUAL,
    DISABLED
  }

  /** AUTO: majority with three or more voters; MAJORITY: always; NONE: never. */
  public enum QuorumMode {
    AUTO,
    MAJORITY,
    NONE
  }

  public HaConfig {
    monitorLinks = List.copyOf(monitorLinks);
    monitorGateways = List.copyOf(monitorGateways);
    virtualIps = List.copyOf(virtualIps);
  }
}
