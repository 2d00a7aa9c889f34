package io.flywall.replication;

import java.net.InetSocketAddress;

/**
 * The primary a replica should follow, as learned from heartbeats: its node id and replication
 * address.
 */
public record PrimaryTarget(String nodeId, InetSocketAddress address) {}
