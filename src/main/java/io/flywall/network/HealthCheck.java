package io.flywall.network;

import java.net.InetAddress;
import java.util.List;

/** One health observation of this node: its monitored links, then its monitored gateways. */
public final class HealthCheck {

  private final LinkMonitor links;
  private final GatewayMonitor gateways;
  private final List<String> monitoredLinks;
  private final List<InetAddress> monitoredGateways;

  public HealthCheck(
      LinkMonitor links,
      GatewayMonitor gateways,
      List<String> monitoredLinks,
      List<InetAddress> monitoredGateways) {
    this.links = links;
    this.gateways = gateways;
    this.monitoredLinks = List.copyOf(monitoredLinks);
    this.monitoredGateways = List.copyOf(monitoredGateways);
  }

  /**
   * Blocks up to about one second per monitored gateway. A link that cannot be read counts as down.
   */
  public Health check() {
    List<LinkState> linkStates;
    try {
      linkStates = links.observe(monitoredLinks);
    } catch (NetworkCommandException e) {
      linkStates =
          monitoredLinks.stream()
              .map(name -> LinkState.down(name, "unreadable: " + e.getMessage()))
              .toList();
    }
    return Health.judge(linkStates, gateways.probeAll(monitoredGateways));
  }
}
