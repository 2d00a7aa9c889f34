package io.flywall.network;

import java.time.Duration;
import java.util.List;

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
public record ProbeVerdict(Vip vip, Outcome outcome, List<MacAddress> answerers, Duration waited) {

  public enum Outcome {
    ANSWERED,
    SILENT,
    UNDECIDED
  }

  public ProbeVerdict {
    answerers = List.copyOf(answerers);
  }

  public boolean decided() {
    return outcome != Outcome.UNDECIDED;
  }
}
