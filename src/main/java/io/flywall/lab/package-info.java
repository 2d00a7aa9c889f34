/**
 * A network lab in Linux namespaces (client, firewall nodes, server; bridged LAN, WAN and sync
 * networks) with real flywall daemons in it, and a client-side outage meter. Used by {@code flywall
 * demo}, the end-to-end tests and the failover benchmark. Root only.
 */
package io.flywall.lab;
