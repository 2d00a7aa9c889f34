/**
 * Connection-state sync: one supervised conntrackd per peer on the sync link, configured from the
 * {@code conntrack_sync} block; commits the peers' connections into the kernel on takeover and
 * replaces a conntrackd left behind by a killed daemon. It depends on {@code config} and {@code
 * network} only; {@code node} wires it in.
 */
package io.flywall.conntrack;
