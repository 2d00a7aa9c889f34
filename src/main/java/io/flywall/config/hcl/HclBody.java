package io.flywall.config.hcl;

import java.util.List;

/** The contents of a file or of a block, in source order. */
public record HclBody(List<HclNode> items) {
  public HclBody {
    items = List.copyOf(items);
  }

  public List<HclAttribute> attributes() {
    return items.stream()
        .filter(HclAttribute.class::isInstance)
        .map(HclAttribute.class::cast)
        .toList();
  }

  public List<HclBlock> blocks() {
    return items.stream().filter(HclBlock.class::isInstance).map(HclBlock.class::cast).toList();
  }
}
