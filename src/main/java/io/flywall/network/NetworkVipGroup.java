package io.flywall.network;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured VIPs on the network plane (native or its iproute2 fallback): added and verified on
 * claim, announced on the LAN (a burst, a repeat after 2 s, then a periodic refresh while held),
 * removed first on release. Sending announcements runs on threads of its own: the arping fallback
 * paces a burst at one packet per second, and the first packet must not wait for the rest of a
 * takeover.
 */
public final class NetworkVipGroup implements VipGroup {
  private static final Logger log = LoggerFactory.getLogger(NetworkVipGroup.class);

  // Replaced by a reload, under this object's lock; read by the effects thread.
  private volatile List<Vip> vips;
  private volatile List<Vip> announced;
  private volatile List<Vip> probed;
  // Between claim() and release(): a VIP added by a reload is added to the interface at once.
  private boolean claimed;
  private final VipBackend backend;
  private final Announcer announcer;
  private final ArpPing probe;
  private final AnnouncementSchedule schedule;
  private final ExecutorService sending;
  private final Clock clock;
  private final NetworkAlarms alarms;
  private final Set<Vip> held = new LinkedHashSet<>();

  public NetworkVipGroup(
      List<Vip> vips,
      List<Vip> announced,
      List<Vip> probed,
      VipBackend backend,
      Announcer announcer,
      ArpPing probe,
      AnnouncementSchedule schedule,
      ExecutorService sending,
      Clock clock,
      NetworkAlarms alarms) {
    this.vips = List.copyOf(vips);
    this.announced = List.copyOf(announced);
    this.probed = List.copyOf(probed);
    this.backend = backend;
    this.announcer = announcer;
    this.probe = probe;
    this.schedule = schedule;
    this.sending = sending;
    this.clock = clock;
    this.alarms = alarms;
  }

  @Override
  public void claim() {
    synchronized (this) {
      claimed = true;
    }
    List<String> failures = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Vip vip : vips) {
      try {
        backend.add(vip);
        synchronized (this) {
          held.add(vip);
        }
      } catch (MissingInterfaceException e) {
        missing.add(e.getMessage());
        failures.add(e.getMessage());
      } catch (RuntimeException e) {
        failures.add(e.getMessage());
      }
    }
    if (missing.isEmpty()) {
      alarms.clear(NetworkAlarms.VIP_INTERFACE_MISSING, "every VIP interface exists");
    } else {
      alarms.raise(NetworkAlarms.VIP_INTERFACE_MISSING, String.join("; ", missing));
    }
    synchronized (this) {
      schedule.claimed(
          announced.stream().filter(held::contains).collect(Collectors.toList()), clock.instant());
    }
    sendDue();
    if (!failures.isEmpty()) {
      throw new IllegalStateException(String.join("; ", failures));
    }
  }

  @Override
  public void release() {
    synchronized (this) {
      claimed = false;
      schedule.releasedAll();
    }
    List<String> failures = new ArrayList<>();
    for (Vip vip : vips) {
      try {
        boolean ours;
        synchronized (this) {
          ours = held.contains(vip);
        }
        // Not added by this process yet on the interface: left by a run that crashed or was
        // killed, or added by hand. Say so, since the operator may be looking for it.
        if (!ours && backend.held(vip)) {
          log.warn(
              "removing VIP {} from {}: this process did not add it (left by a previous run that"
                  + " crashed or was killed, or added by hand)",
              vip.cidr(),
              vip.interfaceName());
        }
        backend.remove(vip);
        synchronized (this) {
          held.remove(vip);
        }
      } catch (RuntimeException e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(String.join("; ", failures));
    }
  }

  @Override
  public void reconfigure(List<Vip> newVips, List<Vip> newAnnounced, List<Vip> newProbed) {
    List<Vip> removed;
    List<Vip> added;
    boolean holding;
    synchronized (this) {
      removed = vips.stream().filter(v -> !newVips.contains(v)).toList();
      added = newVips.stream().filter(v -> !vips.contains(v)).toList();
      vips = List.copyOf(newVips);
      announced = List.copyOf(newAnnounced);
      probed = List.copyOf(newProbed);
      holding = claimed;
    }
    List<String> failures = new ArrayList<>();
    for (Vip vip : removed) {
      try {
        backend.remove(vip);
        synchronized (this) {
          held.remove(vip);
        }
        log.info("reload: VIP {} removed from {}", vip.cidr(), vip.interfaceName());
      } catch (RuntimeException e) {
        failures.add(e.getMessage());
      }
    }
    if (holding) {
      for (Vip vip : added) {
        try {
          backend.add(vip);
          synchronized (this) {
            held.add(vip);
          }
          log.info("reload: VIP {} added on {}", vip.cidr(), vip.interfaceName());
        } catch (RuntimeException e) {
          failures.add(e.getMessage());
        }
      }
      synchronized (this) {
        // The new VIPs get their burst; the others' refresh schedule restarts with them.
        schedule.claimed(
            announced.stream().filter(held::contains).collect(Collectors.toList()),
            clock.instant());
      }
      sendDue();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(String.join("; ", failures));
    }
  }

  @Override
  public void startProbe() {
    if (!probed.isEmpty()) {
      probe.start(probed);
    }
  }

  @Override
  public void prepareTakeover() {
    // Both are tried; failures are reported together, as claim() does (the caller logs the message
    // only, so an exception kept aside as suppressed would go unseen).
    List<String> failures = new ArrayList<>();
    if (!probed.isEmpty()) {
      try {
        probe.prepare(probed);
      } catch (RuntimeException e) {
        failures.add(e.getMessage());
      }
    }
    if (!announced.isEmpty()) {
      try {
        announcer.prepare(announced);
      } catch (RuntimeException e) {
        failures.add(e.getMessage());
      }
    }
    if (!failures.isEmpty()) {
      throw new NetworkCommandException(String.join("; ", failures));
    }
  }

  @Override
  public void stopProbe() {
    probe.stop();
  }

  @Override
  public void closeProbe() {
    probe.close();
  }

  @Override
  public Optional<Conflict> probeConflict(Instant since) {
    if (probed.isEmpty()) {
      return Optional.empty();
    }
    List<String> conflicts = new ArrayList<>();
    // The latest answer of all: a later verdict may count only requests sent after it.
    Optional<Instant> last = Optional.empty();
    boolean everyAnswerTimed = true;
    for (ProbeAnswer answer : probe.probeSince(probed, since)) {
      if (answer.answeredBy().isEmpty()) {
        continue;
      }
      conflicts.add(
          answer.vip().cidr()
              + " on "
              + answer.vip().interfaceName()
              + " is answered by "
              + answer.answeredBy().get());
      everyAnswerTimed &= answer.lastAnswerAt().isPresent();
      if (answer.lastAnswerAt().isPresent()
          && (last.isEmpty() || answer.lastAnswerAt().get().isAfter(last.get()))) {
        last = answer.lastAnswerAt();
      }
    }
    return conflicts.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Conflict(String.join("; ", conflicts), everyAnswerTimed ? last : Optional.empty()));
  }

  @Override
  public void tick(boolean primary) {
    // Only a node that is primary right now may speak for the VIPs.
    if (primary) {
      sendDue();
    }
  }

  @Override
  public void reannounce() {
    synchronized (this) {
      schedule.claimed(
          announced.stream().filter(held::contains).collect(Collectors.toList()), clock.instant());
    }
    sendDue();
  }

  private void sendDue() {
    List<Announcement> due;
    synchronized (this) {
      due = schedule.due(clock.instant());
    }
    if (due.isEmpty()) {
      return;
    }
    // One task per VIP: arping paces its burst at 1/s, and the WAN VIP's first packet must not
    // wait for the LAN VIP's burst to finish (return traffic would be lost meanwhile).
    for (Announcement announcement : due) {
      sending.execute(
          () -> {
            if (!holds(announcement.vip())) {
              // Released since it was scheduled (the thread was busy, or the machine was): sent
              // now, it would point the LAN at this node for a VIP another node may hold by then.
              return;
            }
            try {
              announcer.send(announcement);
            } catch (RuntimeException e) {
              log.warn("announcing {} failed: {}", announcement.vip(), e.getMessage());
            }
          });
    }
  }

  /** Whether this node is claimed and holds {@code vip}: only then is it announced. */
  private synchronized boolean holds(Vip vip) {
    return claimed && held.contains(vip);
  }

  @Override
  public Map<String, String> alarms() {
    return alarms.raised();
  }

  @Override
  public synchronized List<VipState> state() {
    return vips.stream()
        .map(v -> new VipState(v.cidr(), v.interfaceName(), held.contains(v)))
        .collect(Collectors.toList());
  }
}
