package io.flywall.conntrack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-state sync through a supervised conntrackd: writes its configuration, keeps it
 * running, samples its statistics every {@code sync_interval}, raises an alarm when it is down or
 * hears nothing from the peer, and runs the commit/resync sequence on takeover.
 */
public final class ConntrackdSync implements ConnectionSync {
  static final String COMMIT_STEP = "commit_connection_state";
  static final String RESYNC_STEP = "resync_connection_state";
  static final String RELEASE_STEP = "resume_connection_state_collection";
  private static final Logger log = LoggerFactory.getLogger(ConntrackdSync.class);

  private final ConntrackdConf conf;
  private final ConntrackdControl control;
  private final ConntrackdSupervisor supervisor;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final PeerSilence silence;
  private SyncObserver observer = new SilentObserver();
  private Instant lastSample;
  private Instant lastAnswer;
  private Optional<ConntrackdStats> stats = Optional.empty();
  private final Map<String, String> raised = new LinkedHashMap<>();
  private volatile Optional<Duration> lastCommit = Optional.empty();
  private volatile SyncStatus status;

  public ConntrackdSync(
      ConntrackdConf conf,
      ConntrackdControl control,
      ConntrackdSupervisor supervisor,
      Clock clock,
      ScheduledExecutorService scheduler) {
    this.conf = conf;
    this.control = control;
    this.supervisor = supervisor;
    this.clock = clock;
    this.scheduler = scheduler;
    Instant now = clock.instant();
    this.silence = new PeerSilence(silenceAfter(conf.syncInterval()), now);
    this.lastAnswer = now;
    this.status = status("starting", "conntrackd is starting");
  }

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

  public ConntrackdConf conf() {
    return conf;
  }

  /** The supervised conntrackd's pid while one runs. */
  public java.util.Optional<Long> pid() {
    return supervisor.pid();
  }

  @Override
  public void start(SyncObserver observer) {
    observe(observer);
    try {
      writeConfig();
    } catch (IOException e) {
      String reason = "cannot write " + conf.files().config() + ": " + e.getMessage();
      synchronized (this) {
        raise(SyncObserver.DOWN, reason);
        publish(status("unavailable", reason));
      }
      return;
    }
    log.info(
        "conntrack sync: conntrackd on {} ({} -> {}), config {}",
        conf.link().interfaceName(),
        conf.link().localAddress().getHostAddress(),
        conf.link().peerAddress().getHostAddress(),
        conf.files().config());
    long period = tickInterval(conf.syncInterval()).toMillis();
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
    Files.createDirectories(conf.files().directory());
    Files.writeString(conf.files().config(), conf.text(), StandardCharsets.UTF_8);
  }

  /**
   * One supervision round: keep conntrackd running, sample its statistics when due, raise or clear
   * alarms.
   */
  synchronized void tick() {
    Instant now = clock.instant();
    ConntrackdSupervisor.Check check = supervisor.tick(now);
    if (check.started()) {
      log.info("conntrackd started (pid {})", supervisor.pid().map(String::valueOf).orElse("?"));
      silence.restarted(now);
      lastAnswer = now;
      lastSample = null;
      stats = Optional.empty();
    }
    if (!check.running()) {
      String problem = check.problem().orElse("conntrackd is not running");
      publish(status("restarting", problem));
      raiseDown(problem);
      return;
    }
    if (lastSample != null
        && Duration.between(lastSample, now).compareTo(conf.syncInterval()) < 0) {
      return;
    }
    lastSample = now;
    try {
      ConntrackdStats sample = control.stats();
      stats = Optional.of(sample);
      lastAnswer = now;
      clearDown();
      boolean silent = silence.observe(sample.messagesReceived(), now);
      if (silent) {
        raise(
            SyncObserver.SILENT,
            "conntrackd has received nothing from its peer "
                + conf.link().peerAddress().getHostAddress()
                + " on "
                + conf.link().interfaceName()
                + " for "
                + Duration.between(silence.lastProgress(), now).toSeconds()
                + " s; connection state is not being synced");
      } else {
        clear(SyncObserver.SILENT, "conntrackd hears from its peer again");
      }
      publish(status("running", silent ? "no messages from the peer" : "in sync with the peer"));
    } catch (ConntrackSyncException e) {
      if (!Duration.between(lastAnswer, now).minus(silence.silenceAfter()).isNegative()) {
        String problem =
            "conntrackd runs but does not answer on "
                + conf.files().socket()
                + ": "
                + e.getMessage();
        publish(status("running", problem));
        raiseDown(problem);
      }
    }
  }

  private void raiseDown(String problem) {
    raise(SyncObserver.DOWN, problem);
  }

  private void clearDown() {
    clear(SyncObserver.DOWN, "conntrackd runs again");
  }

  /**
   * Raises once: a standing alarm is reported when it starts and when it ends, not at every sample.
   */
  private void raise(String name, String detail) {
    if (!raised.containsKey(name)) {
      raised.put(name, detail);
      observer.alarm(name, detail, true);
    }
  }

  private void clear(String name, String detail) {
    if (raised.remove(name) != null) {
      observer.alarm(name, detail, false);
    }
  }

  private void publish(SyncStatus next) {
    status = next;
    observer.status(next);
  }

  private SyncStatus status(String state, String detail) {
    return new SyncStatus(
        state,
        detail,
        Optional.of(conf.link().interfaceName()),
        Optional.of(conf.link().peerAddress().getHostAddress()),
        stats,
        silence.silent(),
        Optional.of(silence.lastProgress()),
        Math.max(0, supervisor.starts() - 1),
        lastCommit,
        raised);
  }

  @Override
  public List<SyncStep> takeOver() {
    if (!supervisor.running()) {
      String why =
          "conntrackd is not running"
              + (supervisor.lastProblem().isEmpty() ? "" : ": " + supervisor.lastProblem());
      return List.of(new SyncStep(COMMIT_STEP, Duration.ZERO, false, why));
    }
    List<SyncStep> steps = new ArrayList<>();
    Instant start = clock.instant();
    try {
      control.commit();
    } catch (ConntrackSyncException e) {
      steps.add(
          new SyncStep(
              COMMIT_STEP, Duration.between(start, clock.instant()), false, e.getMessage()));
      return steps;
    }
    Duration commit = Duration.between(start, clock.instant());
    lastCommit = Optional.of(commit);
    steps.add(new SyncStep(COMMIT_STEP, commit, true, ""));
    // Now primary: the kernel holds every connection; make it this node's own state and send it to
    // the peer.
    steps.add(
        timed(
            RESYNC_STEP,
            () -> {
              control.flushCaches();
              control.resyncFromKernel();
              control.bulkSend();
            }));
    log.info("conntrack sync: committed the peer's connections in {} ms", commit.toMillis());
    return steps;
  }

  @Override
  public List<SyncStep> release() {
    if (!supervisor.running()) {
      return List.of(new SyncStep(RELEASE_STEP, Duration.ZERO, false, "conntrackd is not running"));
    }
    return List.of(
        timed(
            RELEASE_STEP,
            () -> {
              // Connections this node no longer owns expire soon; the new primary's table is the
              // truth.
              control.purgeTimers();
              control.requestResync();
            }));
  }

  private interface Work {
    void run() throws ConntrackSyncException;
  }

  private SyncStep timed(String name, Work work) {
    Instant start = clock.instant();
    try {
      work.run();
      return new SyncStep(name, Duration.between(start, clock.instant()), true, "");
    } catch (ConntrackSyncException e) {
      return new SyncStep(name, Duration.between(start, clock.instant()), false, e.getMessage());
    }
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
        current.alarms());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    supervisor.stop();
    log.info("conntrackd stopped");
  }

  private static final class SilentObserver implements SyncObserver {
    @Override
    public void status(SyncStatus status) {}

    @Override
    public void alarm(String name, String detail, boolean raised) {}
  }
}
