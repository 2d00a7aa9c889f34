/**
 * The heartbeat protocol between cluster nodes: the authenticated binary datagram, the keys derived
 * from the shared secret (Argon2id, then HKDF; the Argon2id output cached in the state directory
 * for restarts), replay and skew protection, which node id speaks from which address, the peer
 * table and the UDP transport. Depends on the JDK, BouncyCastle's Argon2 and SLF4J only; it knows
 * nothing of config or failover.
 */
package io.flywall.cluster;
