package io.flywall.network;

/** An OS command this package drives, with the Debian package that provides it. */
public enum Tool {
  IP("ip", "iproute2"),
  ARPING("arping", "iputils-arping"),
  NDISC6("ndisc6", "ndisc6"),
  PING("ping", "iputils-ping"),
  SYSCTL("sysctl", "procps"),
  CONNTRACKD("conntrackd", "conntrackd");

  private final String command;
  private final String debianPackage;

  Tool(String command, String debianPackage) {
    this.command = command;
    this.debianPackage = debianPackage;
  }

  public String command() {
    return command;
  }

  public String debianPackage() {
    return debianPackage;
  }
}
