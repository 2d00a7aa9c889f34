package io.flywall.network;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the arp_ping probe of one VIP found: the MACs (other than ours) that answered for it, how
 * long the probe took, and when the last of those answers came (if the probe knows).
 */
public record ProbeAnswer(
    Vip vip, List<MacAddress> answerers, Duration took, Optional<Instant> lastAnswerAt) {

  public ProbeAnswer {
    answerers = List.copyOf(answerers);
    Objects.requireNonNull(lastAnswerAt, "lastAnswerAt");
  }

  /** An answer from a probe that does not know when the last answer came (the arping fallback). */
  public ProbeAnswer(Vip vip, List<MacAddress> answerers, Duration took) {
    this(vip, answerers, took, Optional.empty());
  }

  /** The first foreign MAC that answered; empty when nobody else answers for the VIP. */
  public Optional<MacAddress> answeredBy() {
    return answerers.stream().findFirst();
  }
}
