/**
 * Streams the state store from the primary to its replicas: an authenticated channel (TLS 1.3 with
 * an external PSK, or a PSK challenge-response with a MAC on every frame), change batches and
 * snapshots, acknowledgements and lag, split-brain merges and config file pushes. Depends on {@code
 * state} and {@code config} only; {@code node} wires it to the failover controller.
 */
package io.flywall.replication;
