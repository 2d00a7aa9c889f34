package io.flywall.network;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Tool outputs captured from real runs in a netlab lab (src/test/resources/io/flywall/network). */
final class Samples {

  private Samples() {}

  static String read(String name) {
    try (InputStream in = Samples.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  static Vip vip(String cidr, String ifname) {
    int slash = cidr.indexOf('/');
    return new Vip(
        ip(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)), ifname);
  }
}
