package io.flywall.config.hcl;

import java.util.List;

/** {@code type "label" ... { body }}; the position is that of the type name. */
public record HclBlock(String name, List<String> labels, Position position, HclBody body)
    implements HclNode {
  public HclBlock {
    labels = List.copyOf(labels);
  }
}
