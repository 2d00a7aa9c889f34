package io.flywall.config.hcl;

/** An item of a body: an attribute or a nested block. */
public sealed interface HclNode permits HclAttribute, HclBlock {
  String name();

  Position position();
}
