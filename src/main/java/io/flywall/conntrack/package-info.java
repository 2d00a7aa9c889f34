/**
 * Connection-state sync: writes conntrackd's configuration from the {@code conntrack_sync} block,
 * supervises conntrackd as a child process, and commits the peer's connections into the kernel on
 * takeover. It depends on {@code config} and {@code network} only; {@code node} wires it in.
 */
package io.flywall.conntrack;
