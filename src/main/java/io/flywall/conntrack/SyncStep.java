package io.flywall.conntrack;

import java.time.Duration;

/** One timed step of a role change, for the history event: its name, duration and outcome. */
public record SyncStep(String name, Duration duration, boolean ok, String detail) {}
