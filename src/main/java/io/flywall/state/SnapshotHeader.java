package io.flywall.state;

/** What a snapshot is of: a history at a position (whose last change had {@code epoch}). */
public record SnapshotHeader(String historyId, long position, long epoch, long entries) {}
