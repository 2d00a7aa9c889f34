package io.flywall.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link VipBackend} on iproute2: {@code ip addr add|del ADDR/LEN dev IF}, each verified afterwards
 * with {@code ip -j addr show dev IF}, so "already there" and "already gone" count as success.
 */
public final class IprouteVipBackend implements VipBackend {

  private final CommandRunner runner;
  private final Iproute iproute;
  private final Duration timeout;

  public IprouteVipBackend(CommandRunner runner, Duration timeout) {
    this.runner = runner;
    this.iproute = new Iproute(runner, timeout);
    this.timeout = timeout;
  }

  @Override
  public void add(Vip vip) {
    CommandResult result = runner.run(addCommand(vip), timeout);
    if (!held(vip)) {
      throw NetworkCommandException.of("VIP " + vip + " was not added", result);
    }
  }

  @Override
  public void remove(Vip vip) {
    CommandResult result =
        runner.run(List.of("ip", "addr", "del", vip.cidr(), "dev", vip.interfaceName()), timeout);
    if (held(vip)) {
      throw NetworkCommandException.of("VIP " + vip + " was not removed", result);
    }
  }

  @Override
  public boolean held(Vip vip) {
    return iproute
        .link(vip.interfaceName())
        .map(link -> link.holds(vip.address(), vip.prefixLength()))
        .orElse(false);
  }

  static List<String> addCommand(Vip vip) {
    List<String> argv =
        new ArrayList<>(List.of("ip", "addr", "add", vip.cidr(), "dev", vip.interfaceName()));
    if (vip.ipv6()) {
      // A VIP moves between nodes: waiting for DAD would leave it unusable for a second.
      argv.add("nodad");
    }
    return argv;
  }
}
