package io.flywall.network;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What continuous arp_ping knows about one VIP, counting only requests sent after a given instant
 * (DESIGN 10.2: after the last heartbeat from the primary was heard).
 *
 * <ul>
 *   <li>{@code ANSWERED}: another MAC answered after the first such request: do not claim.
 *   <li>{@code SILENT}: requests went out for at least the answer window and nobody answered.
 *   <li>{@code UNDECIDED}: no such request yet, or the window has not passed; ask again.
 * </ul>
 */
public record ProbeVerdict(
    Vip vip,
    Outcome outcome,
    List<MacAddress> answerers,
    Duration waited,
    Optional<Instant> lastAnswerAt) {

  public enum Outcome {
    ANSWERED,
    SILENT,
    UNDECIDED
  }

  public ProbeVerdict {
    answerers = List.copyOf(answerers);
    Objects.requireNonNull(lastAnswerAt, "lastAnswerAt");
  }

  /** A verdict without answers. */
  public ProbeVerdict(Vip vip, Outcome outcome, Duration waited) {
    this(vip, outcome, List.of(), waited, Optional.empty());
  }

  public boolean decided() {
    return outcome != Outcome.UNDECIDED;
  }
}
