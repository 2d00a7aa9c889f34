package io.flywall.cluster;

import java.util.Objects;

/** The outcome of decoding one datagram: the heartbeat, or why it was refused. */
public sealed interface DecodeResult permits DecodeResult.Accepted, DecodeResult.Rejected {

  record Accepted(Heartbeat heartbeat) implements DecodeResult {
    public Accepted {
      Objects.requireNonNull(heartbeat, "heartbeat");
    }
  }

  record Rejected(RejectReason reason, String detail) implements DecodeResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }
}
