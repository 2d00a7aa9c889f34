package io.flywall.network;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads the kernel's view of the monitored links with one {@code ip -j addr show}. A link is up
 * when it is administratively up, has carrier and its operstate is UP (or UNKNOWN, which drivers
 * without operstate support report); a missing interface is down.
 */
public final class LinkMonitor implements LinkObserver {

  private final Iproute iproute;

  public LinkMonitor(CommandRunner runner, Duration timeout) {
    this.iproute = new Iproute(runner, timeout);
  }

  @Override
  public List<LinkState> observe(Collection<String> names) {
    if (names.isEmpty()) {
      return List.of();
    }
    Map<String, IpLink> links =
        iproute.links().stream()
            .collect(Collectors.toMap(IpLink::name, Function.identity(), (a, b) -> a));
    return names.stream()
        .map(name -> links.containsKey(name) ? state(links.get(name)) : LinkState.missing(name))
        .toList();
  }

  public LinkState observe(String name) {
    return observe(List.of(name)).get(0);
  }

  static LinkState state(IpLink link) {
    if (!link.flags().contains("UP")) {
      return LinkState.down(link.name(), "administratively down");
    }
    if (link.flags().contains("NO-CARRIER") || !link.flags().contains("LOWER_UP")) {
      return LinkState.down(link.name(), "no carrier");
    }
    String operstate = link.operstate().toUpperCase(Locale.ROOT);
    if (!operstate.equals("UP") && !operstate.equals("UNKNOWN")) {
      return LinkState.down(link.name(), "operstate " + operstate.toLowerCase(Locale.ROOT));
    }
    return LinkState.up(link.name());
  }
}
