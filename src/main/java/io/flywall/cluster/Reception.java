package io.flywall.cluster;

import java.util.Objects;

/** What {@link HeartbeatReceiver} made of one datagram. */
public sealed interface Reception permits Reception.Accepted, Reception.Rejected {

  record Accepted(ReceivedHeartbeat received) implements Reception {
    public Accepted {
      Objects.requireNonNull(received, "received");
    }
  }

  record Rejected(RejectReason reason, String detail) implements Reception {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
