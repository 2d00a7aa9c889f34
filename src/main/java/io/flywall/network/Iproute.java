package io.flywall.network;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads the kernel's view of interfaces and addresses through {@code ip -j addr show}. */
public final class Iproute {

  private final CommandRunner runner;
  private final Duration timeout;

  public Iproute(CommandRunner runner, Duration timeout) {
    this.runner = runner;
    this.timeout = timeout;
  }

  /** The interface {@code name}, or empty when it does not exist. */
  public Optional<IpLink> link(String name) {
    CommandResult result = runner.run(List.of("ip", "-j", "addr", "show", "dev", name), timeout);
    if (!result.ok()) {
      if (!result.timedOut() && result.stderr().contains("does not exist")) {
        return Optional.empty();
      }
      throw NetworkCommandException.of("cannot read interface " + name, result);
    }
    return IpLink.parse(result.stdout()).stream()
        .filter(link -> link.name().equals(name))
        .findFirst();
  }

  /** Every interface of the namespace the runner runs in. */
  public List<IpLink> links() {
    CommandResult result = runner.run(List.of("ip", "-j", "addr", "show"), timeout);
    if (!result.ok()) {
      throw NetworkCommandException.of("cannot list interfaces", result);
    }
    return IpLink.parse(result.stdout());
  }

  /** The MAC of interface {@code name}; a missing interface or one without a MAC is an error. */
  public MacAddress macOf(String name) {
    return link(name)
        .orElseThrow(() -> new NetworkCommandException("interface " + name + " does not exist"))
        .mac()
        .orElseThrow(
            () -> new NetworkCommandException("interface " + name + " has no Ethernet address"));
  }
}
