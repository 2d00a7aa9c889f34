package io.flywall.state;

/**
 * Where a node's change log ends: which history it belongs to, the epoch of its last change and its
 * position. Two logs with the same history and the same epoch at a position hold the same changes
 * up to there, because only one primary writes per epoch.
 */
public record LogPoint(String historyId, long epoch, long position) {}
