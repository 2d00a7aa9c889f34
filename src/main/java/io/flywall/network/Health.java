package io.flywall.network;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A node's health as DESIGN.md section 4 defines it: unhealthy when a monitored link is down or, if
 * gateways are monitored, none of them answers. {@code cause} names what is wrong.
 */
public record Health(
    boolean healthy, String cause, List<LinkState> links, List<GatewayState> gateways) {

  public static final String HEALTHY = "healthy";

  public Health {
    links = List.copyOf(links);
    gateways = List.copyOf(gateways);
  }

  /**
   * Pure: judges observed links and gateways. No monitored gateways means gateways do not count.
   */
  public static Health judge(List<LinkState> links, List<GatewayState> gateways) {
    return judge(links, List.of(), gateways);
  }

  /**
   * As above, and a VIP's interface that does not exist makes the node unhealthy too: it could not
   * serve the VIP, so it must not hold or claim the role (it may be down: that is monitor_links'
   * business).
   */
  public static Health judge(
      List<LinkState> links, List<LinkState> vipInterfaces, List<GatewayState> gateways) {
    List<String> causes = new ArrayList<>();
    for (LinkState vipInterface : vipInterfaces) {
      if (vipInterface.missing()) {
        causes.add("interface " + vipInterface.name() + " missing (virtual_ip)");
      }
    }
    for (LinkState link : links) {
      if (!link.up()) {
        causes.add("link " + link.name() + " down (" + link.reason() + ")");
      }
    }
    if (!gateways.isEmpty() && gateways.stream().noneMatch(GatewayState::answered)) {
      causes.add(
          "no gateway answers ("
              + gateways.stream().map(GatewayState::host).collect(Collectors.joining(", "))
              + ")");
    }
    return new Health(
        causes.isEmpty(), causes.isEmpty() ? HEALTHY : String.join("; ", causes), links, gateways);
  }
}
