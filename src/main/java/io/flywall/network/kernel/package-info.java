/**
 * The native network plane: the kernel reached directly through JNA, the way keepalived's vrrp/
 * folder does it. rtnetlink puts VIPs on interfaces and reports link events; an AF_PACKET socket
 * sends gratuitous ARP and ARP probes; a raw ICMPv6 socket sends unsolicited neighbour
 * advertisements and neighbour-solicitation probes. No child process runs on the takeover path.
 * Message layouts are pure codecs tested byte by byte; only {@link io.flywall.network.kernel.Libc}
 * touches native code. Depends on {@code io.flywall.network} for the shared types and on nothing
 * else of Flywall.
 */
package io.flywall.network.kernel;
