package io.flywall.config;

import java.time.Duration;

/** The {@code conntrack_sync} block: conntrackd's dedicated sync link and limits. */
public record ConntrackSyncConfig(
    boolean enabled, String interfaceName, Duration syncInterval, int maxEntries) {}
