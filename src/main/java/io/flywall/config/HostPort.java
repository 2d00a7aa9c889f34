package io.flywall.config;

import java.util.Objects;

/**
 * A {@code host:port} address. An empty host means any local address ({@code ":9001"}); IPv6 hosts
 * are stored without brackets and written with them ({@code "[::1]:9001"}).
 */
public record HostPort(String host, int port) {
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
  }

  /**
   * Parses {@code host:port}, {@code [v6]:port} or {@code :port}; the message says what is wrong.
   */
  public static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has no port: write host:port, e.g. \"10.0.0.1:9001\" or \":9001\"");
    }
    String host = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    if (host.startsWith("[")) {
      if (!host.endsWith("]")) {
        throw new IllegalArgumentException(
            "\"" + text + "\": an IPv6 address is written [address]:port");
      }
      host = host.substring(1, host.length() - 1);
      if (host.indexOf(':') < 0) {
        throw new IllegalArgumentException(
            "\"" + text + "\": brackets are only for IPv6 addresses");
      }
      IpLiteral.parse(host);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "\"" + text + "\": an IPv6 address needs brackets, e.g. \"[::1]:9001\"");
    } else if (IpLiteral.looksLikeIpv4(host)) {
      IpLiteral.parse(host);
    } else if (!host.isEmpty() && !isHostname(host)) {
      throw new IllegalArgumentException(
          "\"" + text + "\": \"" + host + "\" is neither an IP address nor a host name");
    }
    if (portText.isEmpty()
        || portText.length() > 5
        || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "\"" + text + "\": the port must be a number between 1 and 65535");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("\"" + text + "\": the port must be between 1 and 65535");
    }
    return new HostPort(host, port);
  }

  private static boolean isHostname(String host) {
    if (host.length() > 253) {
      return false;
    }
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty()
          || label.length() > 63
          || label.startsWith("-")
          || label.endsWith("-")
          || !label
              .chars()
              .allMatch(
                  c ->
                      (c >= 'a' && c <= 'z')
                          || (c >= 'A' && c <= 'Z')
                          || (c >= '0' && c <= '9')
                          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** True for {@code ":port"}: listen on every local address. */
  public boolean anyHost() {
    return host.isEmpty();
  }

  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
