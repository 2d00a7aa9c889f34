/**
 * The failover controller: a pure state machine that turns events (heartbeats, ticks, health,
 * operator commands) and the current instant into role changes and ordered actions for the node to
 * execute. It never does I/O, never reads a clock and depends on no other project package.
 */
package io.flywall.failover;
