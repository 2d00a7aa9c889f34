package io.flywall.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code Host} header check against DNS rebinding: a web page on a name the attacker controls,
 * re-pointed at 127.0.0.1, would otherwise get a browser to read this API with the page's own name
 * in {@code Host}. Only an IP literal, {@code localhost} or one of the host's own names is
 * accepted. Names are compared as given, never resolved.
 */
final class HostHeader {
  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z._-]+)?");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  private final Set<String> ownNames;

  /**
   * @param ownNames the names this host answers to (its hostname, the API's listen host)
   */
  HostHeader(Set<String> ownNames) {
    this.ownNames =
        ownNames.stream().map(HostHeader::normalise).collect(java.util.stream.Collectors.toSet());
  }

  /** Whether a request with this {@code Host} header (null when absent) may be served. */
  boolean allows(String header) {
    if (header == null || header.isEmpty()) {
      // Browsers always send Host; a request without it is not a rebinding attack.
      return true;
    }
    String host;
    if (header.startsWith("[")) {
      int close = header.indexOf(']');
      if (close < 0 || !portOrNothing(header.substring(close + 1))) {
        return false;
      }
      return isIpv6Literal(header.substring(1, close));
    }
    int colon = header.indexOf(':');
    if (colon >= 0) {
      if (!portOrNothing(header.substring(colon))) {
        return false;
      }
      host = header.substring(0, colon);
    } else {
      host = header;
    }
    String name = normalise(host);
    return isIpv4Literal(name) || name.equals("localhost") || ownNames.contains(name);
  }

  private static boolean portOrNothing(String rest) {
    return rest.isEmpty() || (rest.startsWith(":") && PORT.matcher(rest.substring(1)).matches());
  }

  private static boolean isIpv4Literal(String host) {
    var m = IPV4.matcher(host);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean isIpv6Literal(String host) {
    if (!IPV6_CHARS.matcher(host).matches() || !host.contains(":")) {
      return false;
    }
    try {
      // Only hex digits, colons and dots reach here: parsed as a literal, never looked up.
      InetAddress.getByName("[" + host + "]");
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String normalise(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}
