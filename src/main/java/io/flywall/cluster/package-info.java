/**
 * The heartbeat protocol between cluster nodes: the authenticated binary datagram, the keys derived
 * from the shared secret, replay and skew protection, the peer table and the UDP transport. Depends
 * on the JDK and SLF4J only; it knows nothing of config or failover.
 */
package io.flywall.cluster;
