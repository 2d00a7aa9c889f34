package io.flywall.network;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/** A virtual IP: an address with its prefix length, held on one interface. */
public record Vip(InetAddress address, int prefixLength, String interfaceName) {

  public Vip {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(interfaceName, "interfaceName");
    int max = address instanceof Inet4Address ? 32 : 128;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException(
          "prefix length "
              + prefixLength
              + " out of range 0.."
              + max
              + " for "
              + address.getHostAddress());
    }
    if (interfaceName.isBlank()) {
      throw new IllegalArgumentException("interface name is empty");
    }
  }

  public boolean ipv6() {
    return address instanceof Inet6Address;
  }

  /** The address as iproute2 and the scripts' FLYWALL_VIPS see it: {@code 10.0.0.100/24}. */
  public String cidr() {
    return host() + "/" + prefixLength;
  }

  /** The address alone in its canonical text form (RFC 5952 for IPv6), without a scope suffix. */
  public String host() {
    return canonical(address);
  }

  /**
   * Java prints IPv6 uncompressed ({@code fd00:0:0:0:0:0:0:1}); people and iproute2 write {@code
   * fd00::1}.
   */
  static String canonical(InetAddress address) {
    String text = address.getHostAddress();
    int scope = text.indexOf('%');
    if (scope >= 0) {
      text = text.substring(0, scope);
    }
    if (!(address instanceof Inet6Address)) {
      return text;
    }
    String[] groups = text.split(":");
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < groups.length; i++) {
      int j = i;
      while (j < groups.length && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
    }
    if (bestStart < 0) {
      return text;
    }
    String head = String.join(":", java.util.Arrays.asList(groups).subList(0, bestStart));
    String tail =
        String.join(
            ":", java.util.Arrays.asList(groups).subList(bestStart + bestLength, groups.length));
    return head + "::" + tail;
  }

  @Override
  public String toString() {
    return cidr() + " on " + interfaceName;
  }
}
