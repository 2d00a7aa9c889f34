package io.flywall.conntrack;

import java.time.Instant;
import java.util.Optional;

/**
 * One channel as status shows it: the peer and port it syncs with, its conntrackd's state ({@code
 * starting}, {@code running} or {@code restarting}), whether the peer went silent, and the last
 * statistics sample.
 */
public record PeerSyncStatus(
    String address,
    int port,
    String state,
    boolean silent,
    Optional<Instant> lastMessage,
    Optional<ConntrackdStats> stats,
    long restarts) {}
