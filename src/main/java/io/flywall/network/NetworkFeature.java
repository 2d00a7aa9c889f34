package io.flywall.network;

import java.util.Set;

/** A capability a config can ask for, with the OS tools it needs. */
public enum NetworkFeature {
  VIP_IPV4("IPv4 virtual IPs", Set.of(Tool.IP)),
  VIP_IPV6("IPv6 virtual IPs", Set.of(Tool.IP)),
  GRATUITOUS_ARP("gratuitous ARP", Set.of(Tool.ARPING)),
  UNSOLICITED_NA("IPv6 unsolicited neighbour advertisements", Set.of(Tool.IP, Tool.SYSCTL)),
  ARP_PING_IPV4("arp_ping on IPv4 VIPs", Set.of(Tool.ARPING, Tool.IP)),
  ARP_PING_IPV6("arp_ping on IPv6 VIPs", Set.of(Tool.NDISC6, Tool.IP)),
  LINK_MONITOR("monitor_links", Set.of(Tool.IP)),
  GATEWAY_MONITOR("monitor_gateways", Set.of(Tool.PING)),
  CONNTRACK_SYNC("conntrack_sync", Set.of(Tool.CONNTRACKD));

  private final String description;
  private final Set<Tool> tools;

  NetworkFeature(String description, Set<Tool> tools) {
    this.description = description;
    this.tools = tools;
  }

  public String description() {
    return description;
  }

  public Set<Tool> tools() {
    return tools;
  }
}
