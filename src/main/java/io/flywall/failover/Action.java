package io.flywall.failover;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** What the node must do, in the order given; the controller itself never touches the system. */
public sealed interface Action {

  /** Persist (fsync) the epoch before any other step of a takeover. */
  record PersistEpoch(long epoch) implements Action {}

  record SwitchReplicationRole(Role role) implements Action {
    public SwitchReplicationRole {
      Objects.requireNonNull(role, "role");
    }
  }

  /** Commit the replicated connection-tracking state so it is in place before traffic arrives. */
  record CommitConnectionState() implements Action {}

  record RunScript(
      ScriptPhase phase, TransitionType event, Role from, Role to, long epoch, String cause)
      implements Action {
    public RunScript {
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(cause, "cause");
    }
  }

  /** Add every VIP and send gratuitous ARP / unsolicited NA. */
  record AddVips() implements Action {}

  record RemoveVips() implements Action {}

  /**
   * Announce the held VIPs again at once (a burst): a stale primary reappeared and may have pulled
   * the clients' ARP caches to itself. Not queued behind other steps.
   */
  record ReannounceVips() implements Action {}

  /**
   * Ask the LAN whether another MAC answers for a VIP, counting only answers to requests sent at or
   * after {@code since} (the last heartbeat heard from a primary, or the last conflicting answer);
   * answered by {@link Event.ProbeFinished}. Requests already going out since {@link StartProbe}
   * count, so the answer is ready at once or within one probe window.
   */
  record ProbeVips(Instant since) implements Action {
    public ProbeVips {
      Objects.requireNonNull(since, "since");
    }
  }

  /**
   * Start sending arp_ping requests for the VIPs now and keep sending them until {@link StopProbe}:
   * the primary's heartbeats went missing and this node would be the one to claim (DESIGN 10.2,
   * arp_ping during detection). Not queued behind other steps.
   */
  record StartProbe() implements Action {}

  /** Stop the requests {@link StartProbe} began. Not queued behind other steps. */
  record StopProbe() implements Action {}

  /** Send a heartbeat now instead of waiting for the next interval. */
  record Announce(Optional<Handover> handover) implements Action {
    public Announce {
      Objects.requireNonNull(handover, "handover");
    }
  }

  /** Append to the failover history. */
  record Record(Transition transition) implements Action {
    public Record {
      Objects.requireNonNull(transition, "transition");
    }
  }

  record RaiseAlarm(String name, String detail) implements Action {
    public RaiseAlarm {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(detail, "detail");
    }
  }

  record ClearAlarm(String name, String detail) implements Action {
    public ClearAlarm {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
