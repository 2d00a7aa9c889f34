/**
 * The node's embedded SQLite database in {@code state_dir/state.db}: the replicated key-value store
 * with its change log, HLC timestamps, checksum and snapshots, plus node metadata (the persisted
 * epoch) and the failover history. Depends on nothing else in the project.
 */
package io.flywall.state;
