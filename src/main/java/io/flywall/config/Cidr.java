package io.flywall.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address with a prefix length, IPv4 or IPv6. Host bits are kept: a VIP {@code 10.0.0.100/24} is
 * that address on a /24, not the network {@code 10.0.0.0/24}.
 */
public record Cidr(InetAddress address, int prefixLength) {
  public Cidr {
    Objects.requireNonNull(address, "address");
    int max = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException(
          "prefix length must be between 0 and " + max + ", got " + prefixLength);
    }
  }

  /** Parses {@code address/len}; a bare address means a single host (/32 or /128). */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addressText = slash < 0 ? text : text.substring(0, slash);
    InetAddress address;
    try {
      address = IpLiteral.parse(addressText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an address/prefix such as \"10.0.0.100/24\" or \"fd00::1/64\"");
    }
    int max = address.getAddress().length * 8;
    if (slash < 0) {
      return new Cidr(address, max);
    }
    String len = text.substring(slash + 1);
    if (len.isEmpty()
        || len.length() > 3
        || !len.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(len) > max) {
      throw new IllegalArgumentException(
          "\"" + text + "\": the prefix length must be between 0 and " + max);
    }
    return new Cidr(address, Integer.parseInt(len));
  }

  /** True if {@code candidate} is of the same family and shares the first prefixLength bits. */
  public boolean contains(InetAddress candidate) {
    byte[] net = address.getAddress();
    byte[] other = candidate.getAddress();
    if (net.length != other.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != other[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (net[full] & mask) == (other[full] & mask);
  }

  @Override
  public String toString() {
    return IpLiteral.format(address) + "/" + prefixLength;
  }
}
