package io.flywall.conntrack;

import java.time.Duration;
import java.time.Instant;

/**
 * Notices when conntrackd stops hearing from its peer. In FTFW mode an idle conntrackd still sends
 * a keep-alive every second, so a received-message count that stands still for {@code silenceAfter}
 * means the peer or the link is gone, not that nothing happened.
 */
public final class PeerSilence {
  private final Duration silenceAfter;
  private long lastReceived = -1;
  private Instant lastProgress;
  private boolean silent;

  public PeerSilence(Duration silenceAfter, Instant start) {
    this.silenceAfter = silenceAfter;
    this.lastProgress = start;
  }

  /** conntrackd (re)started: its counters begin at zero, and the peer gets a fresh window. */
  public void restarted(Instant now) {
    lastReceived = -1;
    lastProgress = now;
  }

  /** Feeds the running total of received messages; answers whether the peer is silent now. */
  public boolean observe(long messagesReceived, Instant now) {
    if (lastReceived >= 0 && messagesReceived > lastReceived) {
      lastProgress = now;
    } else if (lastReceived >= 0 && messagesReceived < lastReceived) {
      // A restart we did not see: a new baseline, not progress.
      lastProgress = now;
    }
    lastReceived = messagesReceived;
    silent = !Duration.between(lastProgress, now).minus(silenceAfter).isNegative();
    return silent;
  }

  public boolean silent() {
    return silent;
  }

  /** When the last message from the peer arrived, as far as the samples tell. */
  public Instant lastProgress() {
    return lastProgress;
  }

  public Duration silenceAfter() {
    return silenceAfter;
  }
}
