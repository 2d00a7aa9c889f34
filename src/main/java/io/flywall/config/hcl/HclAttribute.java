package io.flywall.config.hcl;

/** {@code name = value}; the position is that of the name. */
public record HclAttribute(String name, Position position, HclValue value) implements HclNode {}
