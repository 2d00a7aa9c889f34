package io.flywall.state;

/**
 * What merging another node's writes did: how many won and were applied, how many lost to a later
 * local write (kept as conflicts), and how many were already here.
 */
public record MergeOutcome(int applied, int conflicts, int alreadyPresent) {}
