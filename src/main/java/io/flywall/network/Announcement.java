package io.flywall.network;

/** One due announcement of a VIP: send {@code count} gratuitous ARPs / unsolicited NAs now. */
public record Announcement(Vip vip, int count, Reason reason) {

  public enum Reason {
    /** The burst right after the VIP was claimed. */
    CLAIM,
    /** The single repeat shortly after, for neighbours that missed the burst. */
    REPEAT,
    /**
     * The periodic refresh while primary, for neighbours whose cache went stale or that joined
     * late.
     */
    REFRESH
  }

  public Announcement {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
  }
}
