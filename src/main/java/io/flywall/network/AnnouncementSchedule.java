package io.flywall.network;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When to announce each held VIP: a burst at claim, one repeat shortly after, then a refresh at a
 * fixed period while primary. Pure: it reads no clock and sends nothing; the node ticks it with
 * {@code now} and sends what {@link #due(Instant)} returns.
 */
public final class AnnouncementSchedule {

  private final int burst;
  private final Duration repeatAfter;
  private final Duration refreshEvery;
  private final Map<Vip, Next> next = new LinkedHashMap<>();

  private record Next(Instant at, Announcement.Reason reason) {}

  public AnnouncementSchedule(int burst, Duration repeatAfter, Duration refreshEvery) {
    if (burst < 1
        || repeatAfter.isNegative()
        || refreshEvery.isNegative()
        || refreshEvery.isZero()) {
      throw new IllegalArgumentException("burst must be >= 1 and periods positive");
    }
    this.burst = burst;
    this.repeatAfter = repeatAfter;
    this.refreshEvery = refreshEvery;
  }

  /** DESIGN.md section 4: a burst of 3 at claim, a repeat after 2 s, then a refresh every 60 s. */
  public static AnnouncementSchedule standard() {
    return new AnnouncementSchedule(3, Duration.ofSeconds(2), Duration.ofSeconds(60));
  }

  /**
   * The VIPs were just claimed: their burst is due at {@code now}, whatever was scheduled before.
   */
  public void claimed(Collection<Vip> vips, Instant now) {
    for (Vip vip : vips) {
      next.put(vip, new Next(now, Announcement.Reason.CLAIM));
    }
  }

  /** The VIPs were released: nothing more is announced for them. */
  public void released(Collection<Vip> vips) {
    vips.forEach(next::remove);
  }

  public void releasedAll() {
    next.clear();
  }

  /**
   * The announcements due at {@code now}, each VIP at most once; advances the schedule. A late tick
   * sends one announcement, not the ones it missed, and the next refresh counts from {@code now}.
   */
  public List<Announcement> due(Instant now) {
    List<Announcement> due = new ArrayList<>();
    for (Map.Entry<Vip, Next> entry : next.entrySet()) {
      Next at = entry.getValue();
      if (at.at().isAfter(now)) {
        continue;
      }
      // Counting from the tick, not the plan, so a late tick does not cause a catch-up burst.
      Instant base = later(at.at(), now);
      Announcement.Reason reason = at.reason();
      due.add(
          new Announcement(
              entry.getKey(), reason == Announcement.Reason.CLAIM ? burst : 1, reason));
      entry.setValue(
          switch (reason) {
            case CLAIM -> new Next(base.plus(repeatAfter), Announcement.Reason.REPEAT);
            case REPEAT, REFRESH -> new Next(base.plus(refreshEvery), Announcement.Reason.REFRESH);
          });
    }
    return due;
  }

  /** When the next announcement falls due, so the node can sleep until then. */
  public Optional<Instant> nextDue() {
    return next.values().stream().map(Next::at).min(Instant::compareTo);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
