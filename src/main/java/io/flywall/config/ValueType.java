package io.flywall.config;

/** The type of a config attribute, as the reference and error messages name it. */
public enum ValueType {
  STRING("string"),
  SECRET("string (secret)"),
  INTERFACE("interface name"),
  INT("integer"),
  BOOL("bool"),
  DURATION("duration"),
  ENUM("string (one of a set)"),
  HOST_PORT("host:port"),
  PATH("path"),
  CIDR("CIDR"),
  INTERFACE_LIST("list of interface names"),
  HOST_PORT_LIST("list of host:port"),
  IP_LIST("list of IP addresses"),
  PATH_LIST("list of paths"),
  CIDR_LIST("list of CIDRs");

  private final String label;

  ValueType(String label) {
    this.label = label;
  }

  /** The name used in the reference's "type" column. */
  public String label() {
    return label;
  }

  public boolean isList() {
    return name().endsWith("_LIST");
  }
}
