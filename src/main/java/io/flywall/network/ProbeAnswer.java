package io.flywall.network;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the arp_ping probe of one VIP found: the MACs (other than ours) that answered for it, and
 * how long the probe took.
 */
public record ProbeAnswer(Vip vip, List<MacAddress> answerers, Duration took) {

  public ProbeAnswer {
    answerers = List.copyOf(answerers);
  }

  /** The first foreign MAC that answered; empty when nobody else answers for the VIP. */
  public Optional<MacAddress> answeredBy() {
    return answerers.stream().findFirst();
  }
}
