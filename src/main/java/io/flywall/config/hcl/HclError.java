package io.flywall.config.hcl;

/** One syntax error: where it is and what is wrong, phrased for the person editing the file. */
public record HclError(Position position, String message) {}
