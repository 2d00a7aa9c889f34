package io.flywall.config;

import java.util.List;
import java.util.Optional;

/**
 * One block of the schema: its attributes and nested blocks; {@code path} is dotted, e.g.
 * "replication.ha".
 */
public record BlockSpec(
    String path,
    boolean repeatable,
    String meaning,
    List<AttributeSpec> attributes,
    List<BlockSpec> blocks) {

  public BlockSpec {
    attributes = List.copyOf(attributes);
    blocks = List.copyOf(blocks);
  }

  /** The block's own name, the last part of its path; "" for the file itself. */
  public String name() {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  public Optional<AttributeSpec> attribute(String name) {
    return attributes.stream().filter(a -> a.name().equals(name)).findFirst();
  }

  public Optional<BlockSpec> block(String name) {
    return blocks.stream().filter(b -> b.name().equals(name)).findFirst();
  }
}
