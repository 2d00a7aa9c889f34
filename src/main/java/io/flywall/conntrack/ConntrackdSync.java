package io.flywall.conntrack;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-state sync through one supervised conntrackd per peer (see {@link PairPorts} and
 * docs/conntrack-sync.md for why not multicast): writes their configurations, keeps them running,
 * samples their statistics every {@code sync_interval}, raises an alarm when one is down or hears
 * nothing from its peer, and runs the commit/resync sequence on every channel on takeover.
 */
public final class ConntrackdSync implements ConnectionSync {
  static final String COMMIT_STEP = "commit_connection_state";
  static final String RESYNC_STEP = "resync_connection_state";
  static final String RELEASE_STEP = "resume_connection_state_collection";
  private static final Logger log = LoggerFactory.getLogger(ConntrackdSync.class);

  private final List<ConntrackdChannel> channels;
  private final SyncPortGuard guard;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final Duration syncInterval;
  private SyncObserver observer = new SilentObserver();
  private final Map<String, String> raised = new LinkedHashMap<>();
  private volatile Optional<Duration> lastCommit = Optional.empty();
  private volatile SyncStatus status;

  /**
   * {@code confs} holds one configuration per peer, each with its own control and supervisor;
   * {@code guard} closes their ports to everyone else while they run.
   */
  public ConntrackdSync(
      List<Channel> confs,
      SyncPortGuard guard,
      Duration syncInterval,
      Clock clock,
      ScheduledExecutorService scheduler) {
    if (confs.isEmpty()) {
      throw new IllegalArgumentException("connection-state sync needs at least one peer");
    }
    this.guard = guard;
    this.clock = clock;
    this.scheduler = scheduler;
    this.syncInterval = syncInterval;
    Instant now = clock.instant();
    Duration silenceAfter = silenceAfter(syncInterval);
    this.channels =
        confs.stream()
            .map(
                c ->
                    new ConntrackdChannel(c.conf(), c.control(), c.supervisor(), silenceAfter, now))
            .collect(Collectors.toUnmodifiableList());
    this.status = status("starting", "conntrackd is starting");
  }

  /** What one channel is made of: its configuration, control client and supervisor. */
  public record Channel(
      ConntrackdConf conf, ConntrackdControl control, ConntrackdSupervisor supervisor) {}

  /** Two missed samples, and never less than three keep-alives (conntrackd sends one a second). */
  static Duration silenceAfter(Duration syncInterval) {
    Duration twice = syncInterval.multipliedBy(2);
    Duration floor = Duration.ofSeconds(3);
    return twice.compareTo(floor) < 0 ? floor : twice;
  }

  /**
   * How often the supervisor looks at the process: at least every second, so a crash is seen soon.
   */
  static Duration tickInterval(Duration syncInterval) {
    Duration second = Duration.ofSeconds(1);
    return syncInterval.compareTo(second) < 0 ? syncInterval : second;
  }

  /** Every channel's configuration, one per peer. */
  public List<ConntrackdConf> confs() {
    return channels.stream().map(ConntrackdChannel::conf).collect(Collectors.toUnmodifiableList());
  }

  /** The nftables table that keeps the channels' ports for their peers. */
  public String guardTable() {
    return guard.table();
  }

  /** The pids of the supervised conntrackd processes that run now. */
  public synchronized List<Long> pids() {
    return channels.stream()
        .map(ConntrackdChannel::pid)
        .flatMap(Optional::stream)
        .collect(Collectors.toUnmodifiableList());
  }

  @Override
  public void start(SyncObserver observer) {
    observe(observer);
    try {
      writeConfig();
    } catch (IOException e) {
      String reason = "cannot write conntrackd's configuration: " + e.getMessage();
      synchronized (this) {
        raise(SyncObserver.DOWN, reason);
        publish(status("unavailable", reason));
      }
      return;
    }
    String ports =
        channels.stream()
            .map(c -> String.valueOf(c.conf().port()))
            .collect(Collectors.joining(", "));
    guard
        .install()
        .ifPresentOrElse(
            why -> log.warn("conntrackd's UDP ports {} accept any sender: {}", ports, why),
            () ->
                log.info(
                    "conntrackd's UDP ports {} accept only their peers over the sync link"
                        + " (nftables table inet {})",
                    ports,
                    guard.table()));
    for (ConntrackdChannel channel : channels) {
      ConntrackdConf conf = channel.conf();
      log.info(
          "conntrack sync: conntrackd on {} ({} -> {}, port {}), config {}",
          conf.link().interfaceName(),
          conf.link().localAddress().getHostAddress(),
          conf.link().peerAddress().getHostAddress(),
          conf.port(),
          conf.files().config());
    }
    long period = tickInterval(syncInterval).toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            tick();
          } catch (RuntimeException e) {
            // A scheduled task that throws is never run again; supervision must go on.
            log.error("conntrack sync check failed", e);
          }
        },
        0,
        period,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Reports to {@code observer} from now on; {@link #start} does this and schedules {@link #tick}.
   */
  synchronized void observe(SyncObserver observer) {
    this.observer = observer;
  }

  void writeConfig() throws IOException {
    for (ConntrackdChannel channel : channels) {
      channel.writeConfig();
    }
  }

  /**
   * One supervision round: keep every conntrackd running, sample statistics when due, raise or
   * clear alarms.
   */
  synchronized void tick() {
    Instant now = clock.instant();
    for (ConntrackdChannel channel : channels) {
      ConntrackdChannel.Round round = channel.tick(now);
      round.orphan().ifPresent(this::reportOrphan);
      if (round.started()) {
        log.info(
            "conntrackd for peer {} started (pid {})",
            channel.peer(),
            channel.pid().map(String::valueOf).orElse("?"));
      }
    }
    List<String> down = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    for (ConntrackdChannel channel : channels) {
      channel.down().ifPresent(problem -> down.add(label(channel) + problem));
      if (channel.down().isEmpty() && channel.silent()) {
        silent.add(channel.silence(now));
      }
    }
    update(SyncObserver.DOWN, down, "conntrackd runs again");
    update(
        SyncObserver.SILENT,
        silent,
        channels.size() == 1
            ? "conntrackd hears from its peer again"
            : "conntrackd hears from every peer again");
    publish(aggregate(down, silent));
  }

  private void reportOrphan(OrphanedConntrackd.Outcome outcome) {
    if (outcome.replaced()) {
      log.warn(outcome.detail());
      observer.event(SyncObserver.ORPHAN_REPLACED, outcome.detail());
    } else {
      log.info(outcome.detail());
    }
  }

  /** With several channels a problem says which peer it concerns. */
  private String label(ConntrackdChannel channel) {
    return channels.size() == 1 ? "" : "channel to " + channel.peer() + ": ";
  }

  /**
   * Raises {@code name} while {@code problems} has any, once: a standing alarm is reported when it
   * starts and when it ends, not at every sample; its detail in the status follows the problems.
   */
  private void update(String name, List<String> problems, String cleared) {
    if (problems.isEmpty()) {
      if (raised.remove(name) != null) {
        observer.alarm(name, cleared, false);
      }
      return;
    }
    String detail = String.join("; ", problems);
    if (raised.put(name, detail) == null) {
      observer.alarm(name, detail, true);
    }
  }

  private void raise(String name, String detail) {
    update(name, List.of(detail), "");
  }

  private void publish(SyncStatus next) {
    status = next;
    observer.status(next);
  }

  private SyncStatus aggregate(List<String> down, List<String> silent) {
    boolean restarting = channels.stream().anyMatch(c -> c.state().equals("restarting"));
    boolean running = channels.stream().allMatch(c -> c.state().equals("running"));
    String state = restarting ? "restarting" : running ? "running" : "starting";
    String detail;
    if (!down.isEmpty()) {
      detail = String.join("; ", down);
    } else if (!running) {
      detail = "conntrackd is starting";
    } else if (!silent.isEmpty()) {
      detail =
          channels.size() == 1
              ? "no messages from the peer"
              : "no messages from "
                  + channels.stream()
                      .filter(ConntrackdChannel::silent)
                      .map(ConntrackdChannel::peer)
                      .collect(Collectors.joining(", "));
    } else {
      detail = channels.size() == 1 ? "in sync with the peer" : "in sync with every peer";
    }
    return status(state, detail);
  }

  private SyncStatus status(String state, String detail) {
    List<ConntrackdStats> samples =
        channels.stream()
            .map(ConntrackdChannel::stats)
            .flatMap(Optional::stream)
            .collect(Collectors.toList());
    return new SyncStatus(
        state,
        detail,
        Optional.of(channels.get(0).conf().link().interfaceName()),
        Optional.of(
            channels.stream().map(ConntrackdChannel::peer).collect(Collectors.joining(", "))),
        samples.isEmpty() ? Optional.empty() : Optional.of(sum(samples)),
        channels.stream().anyMatch(ConntrackdChannel::silent),
        channels.stream().map(ConntrackdChannel::lastMessage).min(Comparator.naturalOrder()),
        channels.stream().mapToLong(ConntrackdChannel::restarts).sum(),
        lastCommit,
        raised,
        channels.stream().map(ConntrackdChannel::status).collect(Collectors.toList()));
  }

  /**
   * The channels summed up: every conntrackd's internal cache mirrors the same kernel table (the
   * largest is shown), the external caches hold different peers' tables and are added.
   */
  private static ConntrackdStats sum(List<ConntrackdStats> samples) {
    return new ConntrackdStats(
        samples.stream().mapToLong(ConntrackdStats::internalEntries).max().orElse(0),
        samples.stream().mapToLong(ConntrackdStats::externalEntries).sum(),
        samples.stream().mapToLong(ConntrackdStats::messagesSent).sum(),
        samples.stream().mapToLong(ConntrackdStats::messagesReceived).sum(),
        samples.stream().mapToLong(ConntrackdStats::messagesLost).sum(),
        samples.stream().mapToLong(ConntrackdStats::malformedMessages).sum(),
        samples.stream().mapToLong(ConntrackdStats::sendErrors).sum(),
        samples.stream().mapToLong(ConntrackdStats::receiveErrors).sum());
  }

  /**
   * Commits every channel's external cache, then flushes, resyncs and bulk-sends on each. Only the
   * old primary's table matters, but which peer that was is not known here; the other peers were
   * backups, whose tables hold only their own connections. The channel that heard from its peer
   * most recently commits last, so where two tables hold one connection the fresher one wins
   * (conntrackd replaces an existing kernel entry on commit). Not under the supervision lock: a
   * commit may take long, and supervision must not wait for it.
   */
  @Override
  public List<SyncStep> takeOver() {
    List<ConntrackdChannel> running =
        channels.stream().filter(ConntrackdChannel::running).collect(Collectors.toList());
    if (running.isEmpty()) {
      String why =
          channels.size() == 1
              ? channels.get(0).notRunning()
              : channels.stream()
                  .map(c -> label(c) + c.notRunning())
                  .collect(Collectors.joining("; "));
      return List.of(new SyncStep(COMMIT_STEP, Duration.ZERO, false, why));
    }
    running.sort(Comparator.comparing(ConntrackdChannel::lastMessage));
    List<String> failures = new ArrayList<>();
    channels.stream()
        .filter(c -> !c.running())
        .forEach(c -> failures.add(label(c) + c.notRunning()));
    List<ConntrackdChannel> committed = new ArrayList<>();
    Instant start = clock.instant();
    for (ConntrackdChannel channel : running) {
      try {
        channel.control().commit();
        committed.add(channel);
      } catch (ConntrackSyncException e) {
        failures.add(label(channel) + e.getMessage());
      }
    }
    Duration commit = Duration.between(start, clock.instant());
    List<SyncStep> steps = new ArrayList<>();
    if (!committed.isEmpty()) {
      lastCommit = Optional.of(commit);
    }
    steps.add(new SyncStep(COMMIT_STEP, commit, failures.isEmpty(), String.join("; ", failures)));
    if (committed.isEmpty()) {
      return steps;
    }
    // Now primary: the kernel holds every connection; make it this node's own state and send it to
    // every peer.
    steps.add(
        timed(
            RESYNC_STEP,
            committed,
            control -> {
              control.flushCaches();
              control.resyncFromKernel();
              control.bulkSend();
            }));
    log.info(
        "conntrack sync: committed the connections of {} in {} ms",
        committed.stream().map(ConntrackdChannel::peer).collect(Collectors.joining(", ")),
        commit.toMillis());
    return steps;
  }

  @Override
  public List<SyncStep> release() {
    List<ConntrackdChannel> running =
        channels.stream().filter(ConntrackdChannel::running).collect(Collectors.toList());
    if (running.isEmpty()) {
      return List.of(new SyncStep(RELEASE_STEP, Duration.ZERO, false, "conntrackd is not running"));
    }
    // Connections this node no longer owns expire soon; the new primary's table is the truth.
    return List.of(
        timed(
            RELEASE_STEP,
            running,
            control -> {
              control.purgeTimers();
              control.requestResync();
            }));
  }

  private interface Work {
    void run(ConntrackdControl control) throws ConntrackSyncException;
  }

  /** Runs {@code work} on every channel given; one step, failed when any channel failed. */
  private SyncStep timed(String name, List<ConntrackdChannel> on, Work work) {
    Instant start = clock.instant();
    List<String> failures = new ArrayList<>();
    for (ConntrackdChannel channel : on) {
      try {
        work.run(channel.control());
      } catch (ConntrackSyncException e) {
        failures.add(label(channel) + e.getMessage());
      }
    }
    return new SyncStep(
        name,
        Duration.between(start, clock.instant()),
        failures.isEmpty(),
        String.join("; ", failures));
  }

  @Override
  public SyncStatus status() {
    SyncStatus current = status;
    return new SyncStatus(
        current.state(),
        current.detail(),
        current.syncInterface(),
        current.peerAddress(),
        current.stats(),
        current.peerSilent(),
        current.lastPeerMessage(),
        current.restarts(),
        lastCommit,
        current.alarms(),
        current.peers());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      channels.forEach(ConntrackdChannel::stop);
    }
    guard.remove();
    log.info("conntrackd stopped");
  }

  private static final class SilentObserver implements SyncObserver {
    @Override
    public void status(SyncStatus status) {}

    @Override
    public void alarm(String name, String detail, boolean raised) {}
  }
}
