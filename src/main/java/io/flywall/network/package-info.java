/**
 * The real network: VIP add/remove through iproute2, gratuitous ARP and unsolicited neighbour
 * advertisements, the arp_ping partition guard, link and gateway monitors, failover scripts and the
 * check that the OS tools a config needs are installed. Every OS effect goes through a {@link
 * io.flywall.network.CommandRunner}, so command construction and output parsing are tested without
 * root (failover scripts run as child processes of their own, in a process group signalled through
 * libc); this package depends on no other Flywall package.
 */
package io.flywall.network;
