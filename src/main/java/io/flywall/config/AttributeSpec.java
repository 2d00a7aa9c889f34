package io.flywall.config;

import java.util.List;
import java.util.Optional;

/**
 * One attribute of the schema.
 *
 * @param allowed for {@link ValueType#ENUM}, the accepted values
 * @param min for INT the smallest value, for DURATION the shortest in milliseconds
 * @param max for INT the largest value, else unused
 * @param defaultHcl the default as an HCL literal, when it is a fixed value
 * @param defaultText the default as the reference states it ("hostname", "none", ...)
 */
public record AttributeSpec(
    String name,
    ValueType type,
    List<String> allowed,
    long min,
    long max,
    Optional<String> defaultHcl,
    String defaultText,
    String meaning) {

  public AttributeSpec {
    allowed = List.copyOf(allowed);
  }

  /** The accepted range as the reference states it, or "" when any value of the type goes. */
  public String rangeText() {
    return switch (type) {
      case INT -> max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
      case DURATION -> min > 0 ? "> 0" : ">= 0";
      case ENUM -> String.join(", ", allowed.stream().map(a -> "\"" + a + "\"").toList());
      case STRING,
          SECRET,
          INTERFACE,
          BOOL,
          HOST_PORT,
          PATH,
          CIDR,
          INTERFACE_LIST,
          HOST_PORT_LIST,
          IP_LIST,
          PATH_LIST,
          CIDR_LIST ->
          "";
    };
  }
}
