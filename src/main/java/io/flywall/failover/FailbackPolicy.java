package io.flywall.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the current primary should hand the role back to a better node. Holds the cluster-wide
 * failback setting (enabled, version): the highest version seen in any heartbeat wins, ties by the
 * lower node id, so an operator may change it on any node. In AUTO mode {@code enabled} false means
 * suspended; in MANUAL mode {@code enabled} true means armed for one failback.
 */
final class FailbackPolicy {

  private FailbackMode mode;
  private Duration delay;
  private Duration window;
  private final String selfId;
  private boolean enabled;
  private long version;
  private String origin;
  private Instant lastAutomaticFailback;

  FailbackPolicy(FailbackMode mode, Duration delay, Duration window, String selfId) {
    this.mode = mode;
    this.delay = delay;
    this.window = window;
    this.selfId = selfId;
    this.enabled = mode == FailbackMode.AUTO;
    this.version = 0;
    this.origin = selfId;
  }

  /**
   * A reload: delay and window apply to the next failback. A new mode starts from its own default
   * (auto enabled, manual not armed) on this node only, without a new version: the cluster-wide
   * setting is not overridden, and an armed manual failback is never the side effect of a reload.
   */
  void reconfigure(FailbackMode newMode, Duration newDelay, Duration newWindow) {
    if (newMode != mode) {
      enabled = newMode == FailbackMode.AUTO;
    }
    mode = newMode;
    delay = newDelay;
    window = newWindow;
  }

  FailbackMode mode() {
    return mode;
  }

  boolean enabled() {
    return enabled;
  }

  long version() {
    return version;
  }

  /** Adopts a setting seen in a heartbeat if it is newer; true when the setting changed. */
  boolean adopt(boolean seenEnabled, long seenVersion, String from) {
    boolean newer = seenVersion > version || (seenVersion == version && from.compareTo(origin) < 0);
    if (!newer) {
      return false;
    }
    boolean changed = seenEnabled != enabled || seenVersion != version;
    enabled = seenEnabled;
    version = seenVersion;
    origin = from;
    return changed;
  }

  /** The operator's setting on this node; a new version so the whole cluster adopts it. */
  void set(boolean newEnabled) {
    enabled = newEnabled;
    version = version + 1;
    origin = selfId;
  }

  /**
   * When a peer fit since {@code fitSince} may take the role back; empty if never automatically.
   */
  Optional<Instant> dueAt(Instant fitSince) {
    Instant due = fitSince.plus(delay);
    return switch (mode) {
      case AUTO -> {
        if (!enabled) {
          yield Optional.empty();
        }
        if (lastAutomaticFailback != null && !window.isZero()) {
          Instant windowEnd = lastAutomaticFailback.plus(window);
          yield Optional.of(windowEnd.isAfter(due) ? windowEnd : due);
        }
        yield Optional.of(due);
      }
      case MANUAL -> enabled ? Optional.of(due) : Optional.empty();
      case DISABLED -> Optional.empty();
    };
  }

  /** Records a failback that just happened: starts the anti-flap window, or disarms MANUAL. */
  void fired(Instant now) {
    if (mode == FailbackMode.AUTO) {
      lastAutomaticFailback = now;
    } else if (mode == FailbackMode.MANUAL) {
      set(false);
    }
  }

  /**
   * Reset: forget the anti-flap window; lift a suspension of AUTO failback. True if suspension was
   * lifted.
   */
  boolean reset() {
    lastAutomaticFailback = null;
    if (mode == FailbackMode.AUTO && !enabled) {
      set(true);
      return true;
    }
    return false;
  }

  String describe() {
    return switch (mode) {
      case AUTO -> enabled ? "automatic failback enabled" : "automatic failback suspended";
      case MANUAL -> enabled ? "manual failback armed" : "manual failback not armed";
      case DISABLED -> "failback disabled by configuration";
    };
  }
}
