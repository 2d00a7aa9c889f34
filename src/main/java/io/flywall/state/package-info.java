/**
 * The node's embedded SQLite database in {@code state_dir/state.db}: the replicated key-value store
 * ({@link io.flywall.state.StateStore}, composed of parts named for their job: write gate, entry
 * rows, change log, group commit, feed, split-brain merge, snapshots), plus node metadata (the
 * persisted epoch) and the failover history. Depends on nothing else in the project.
 */
package io.flywall.state;
