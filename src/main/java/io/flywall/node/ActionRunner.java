package io.flywall.node;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.conntrack.SyncStep;
import io.flywall.failover.Action;
import io.flywall.failover.Decision;
import io.flywall.failover.Event;
import io.flywall.failover.Role;
import io.flywall.failover.StepQueue;
import io.flywall.failover.Transition;
import io.flywall.failover.TransitionType;
import io.flywall.network.VipGroup;
import io.flywall.state.History;
import io.flywall.state.HistoryEvent;
import io.flywall.state.NodeMeta;
import io.flywall.state.StateStoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the controller's decisions by the rules of {@link StepQueue} (in order, stale steps
 * skipped, a newer role generation stops an older script, a failure seen by the controller before
 * the next step), on one thread of its own so a slow script never delays heartbeats. Each step is
 * timed; a {@code Record} action writes the transition with the steps before it (run, failed or
 * skipped) to the history. Starting and stopping the LAN probe runs at once on a thread of its own,
 * in order: it must neither wait behind a script nor hold up the controller's loop (the network
 * plane may still be opening).
 */
final class ActionRunner {
  private static final Logger log = LoggerFactory.getLogger(ActionRunner.class);

  /** How the runner reports to the controller. */
  interface Feedback {
    /** Steps {@code event} on the controller's loop, later. */
    void report(Event event);

    /**
     * Steps {@code event} and returns once the controller has stepped it and handed its actions
     * here: its answer decides whether the rest of a plan is still current.
     */
    void reportAndWait(Event event);
  }

  private final String nodeId;
  private final ExecutorService effects;
  private final Clock clock;
  private final NodeMeta meta;
  private final History history;
  private final VipGroup vips;
  private final FailoverScripts scripts;
  private final HaMetrics metrics;
  private final MonitorFeed monitor;
  private final Feedback feedback;
  private final Runnable announce;
  private final StepQueue queue = new StepQueue();
  private final ExecutorService probeControl =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "flywall-probe-control");
            t.setDaemon(true);
            return t;
          });
  // Guarded by queue: the thread running a step, and whether a newer plan stopped it.
  private Thread runningThread;
  private boolean stopped;
  // The steps since the last Record, and when the first of them began.
  private List<HistoryEvent.Step> steps = new ArrayList<>();
  private Instant batchStart;
  private final ConnectionSync connectionSync;
  private final ReplicationRoles replication;

  ActionRunner(
      String nodeId,
      ExecutorService effects,
      Clock clock,
      NodeMeta meta,
      History history,
      VipGroup vips,
      FailoverScripts scripts,
      HaMetrics metrics,
      MonitorFeed monitor,
      Feedback feedback,
      Runnable announce,
      ReplicationRoles replication,
      ConnectionSync connectionSync) {
    this.replication = replication;
    this.connectionSync = connectionSync;
    this.nodeId = nodeId;
    this.effects = effects;
    this.clock = clock;
    this.meta = meta;
    this.history = history;
    this.vips = vips;
    this.scripts = scripts;
    this.metrics = metrics;
    this.monitor = monitor;
    this.feedback = feedback;
    this.announce = announce;
  }

  ConnectionSync connectionSync() {
    return connectionSync;
  }

  void submit(Decision decision) {
    StepQueue.Submitted submitted;
    synchronized (queue) {
      submitted = queue.submit(decision);
      if (submitted.stopRunning() && runningThread != null) {
        // A script of a plan the controller has given up: stop it (its process group is killed)
        // so the new plan, a release above all, does not wait behind it.
        stopped = true;
        runningThread.interrupt();
      }
    }
    for (Action action : submitted.atOnce()) {
      if (action instanceof Action.ReannounceVips) {
        vips.reannounce();
      } else if (action instanceof Action.StartProbe) {
        runUnlessStopped(probeControl, () -> controlProbe(action, vips::startProbe));
      } else if (action instanceof Action.StopProbe) {
        runUnlessStopped(probeControl, () -> controlProbe(action, vips::stopProbe));
      }
    }
    runUnlessStopped(effects, this::drain);
  }

  /**
   * Hands {@code work} to {@code executor} unless the node is stopping: a tick or a heartbeat the
   * loop still steps after the stop shut the executor down has nothing left to change (the role was
   * handed over or the VIPs removed), so what it decides is dropped, not an error.
   */
  private static void runUnlessStopped(java.util.concurrent.Executor executor, Runnable work) {
    try {
      executor.execute(work);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("stopping: a step decided after the stop is not run");
    }
  }

  private void controlProbe(Action action, Runnable control) {
    try {
      control.run();
    } catch (RuntimeException e) {
      // The verdict tries again itself (and says why it cannot); the controller records this.
      String detail = e.getMessage() == null ? e.toString() : e.getMessage();
      log.warn("{}: {}", action, detail);
      feedback.report(new Event.ActionFailed(action, detail));
    }
  }

  /**
   * Opens the arp_ping and announcement sockets now (the node became a backup), on the thread that
   * controls the probe: the first probe and the first announcement of a takeover then send at once.
   * A failure here is only logged: both open them again when they are needed, and a verdict or an
   * announcement that cannot be had is reported then.
   */
  void prepareTakeover() {
    runUnlessStopped(
        probeControl,
        () -> {
          try {
            vips.prepareTakeover();
          } catch (RuntimeException e) {
            log.warn("cannot open the takeover's sockets ahead of need: {}", e.getMessage());
          }
        });
  }

  /**
   * Stops probing the LAN (the node is stopping), closes the probe's sockets and stops the thread
   * that controls it.
   */
  void close() {
    runUnlessStopped(probeControl, () -> controlProbe(new Action.StopProbe(), vips::closeProbe));
    probeControl.shutdown();
    try {
      probeControl.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    while (true) {
      Optional<StepQueue.Next> next;
      synchronized (queue) {
        next = queue.next();
        if (next.isPresent() && next.get() instanceof StepQueue.Next.Run) {
          runningThread = Thread.currentThread();
        }
      }
      if (next.isEmpty()) {
        return;
      }
      if (batchStart == null) {
        batchStart = clock.instant();
      }
      Action action = next.get().step().action();
      if (next.get() instanceof StepQueue.Next.Skip) {
        skip(action);
        continue;
      }
      boolean wasStopped;
      StepResult result;
      Instant start = clock.instant();
      try {
        result = run(action);
      } catch (RuntimeException e) {
        // Whatever happened, the controller hears of it (and a probe is answered).
        result = StepResult.failed(stepName(action), e);
      } finally {
        synchronized (queue) {
          runningThread = null;
          wasStopped = stopped;
          stopped = false;
          queue.done();
          Thread.interrupted();
        }
      }
      if (result.recorded()) {
        steps.add(
            new HistoryEvent.Step(
                result.name(),
                Duration.between(start, clock.instant()).toMillis(),
                result.ok() && !wasStopped,
                wasStopped));
      }
      if (wasStopped) {
        log.warn("{} stopped: the role changed while it ran", result.name());
      } else if (!result.ok()) {
        log.warn("{} failed: {}", result.name(), result.detail());
        // The controller decides before the next step whether the rest of the plan still holds.
        feedback.reportAndWait(new Event.ActionFailed(action, result.detail()));
      }
    }
  }

  /** A step of a plan the controller has given up: recorded, not run; a probe is answered. */
  private void skip(Action action) {
    String name = stepName(action);
    if (!name.isEmpty()) {
      steps.add(new HistoryEvent.Step(name, 0, false, true));
      log.info("{} skipped: planned for a role this node no longer has", name);
    }
    if (action instanceof Action.ProbeVips) {
      feedback.report(new Event.ActionFailed(action, "skipped: the role changed"));
    }
  }

  /** Runs one step that is current. */
  private StepResult run(Action action) {
    if (action instanceof Action.Record record) {
      record(record.transition(), batchStart, steps);
      steps = new ArrayList<>();
      batchStart = null;
      return StepResult.unrecorded();
    }
    if (action instanceof Action.Announce) {
      announce.run();
      return StepResult.unrecorded();
    }
    if (action instanceof Action.RaiseAlarm alarm) {
      alarm(alarm.name(), alarm.detail(), true);
      return StepResult.unrecorded();
    }
    if (action instanceof Action.ClearAlarm alarm) {
      alarm(alarm.name(), alarm.detail(), false);
      return StepResult.unrecorded();
    }
    if (action instanceof Action.CommitConnectionState
        || action instanceof Action.SwitchReplicationRole s && s.role() != Role.PRIMARY) {
      syncConnectionState(action, steps);
      if (action instanceof Action.CommitConnectionState) {
        return StepResult.unrecorded();
      }
    }
    return execute(action);
  }

  /** The name a step has in the history; empty for steps that are not recorded. */
  static String stepName(Action action) {
    if (action instanceof Action.PersistEpoch) {
      return "persist_epoch";
    } else if (action instanceof Action.SwitchReplicationRole) {
      return "switch_replication_role";
    } else if (action instanceof Action.CommitConnectionState) {
      return "commit_connection_state";
    } else if (action instanceof Action.RunScript script) {
      return script.phase().name().toLowerCase() + "_failover_script";
    } else if (action instanceof Action.AddVips) {
      return "add_vips";
    } else if (action instanceof Action.RemoveVips) {
      return "remove_vips";
    } else if (action instanceof Action.ProbeVips) {
      return "probe_vips";
    }
    return "";
  }

  /**
   * Takeover: conntrackd commits the peer's connections (each sub-step timed on its own, so the
   * commit's duration is in the history); release: back to collecting the peer's state. A failure
   * is reported but never stops the role change: failover works without state sync.
   */
  private void syncConnectionState(Action action, List<HistoryEvent.Step> steps) {
    List<SyncStep> done =
        action instanceof Action.CommitConnectionState
            ? connectionSync.takeOver()
            : connectionSync.release();
    for (SyncStep step : done) {
      steps.add(new HistoryEvent.Step(step.name(), step.duration().toMillis(), step.ok()));
      if (!step.ok()) {
        log.warn("{} failed: {}", step.name(), step.detail());
        if (action instanceof Action.CommitConnectionState) {
          feedback.report(new Event.ActionFailed(action, step.name() + ": " + step.detail()));
        }
      }
    }
  }

  private record StepResult(String name, boolean ok, String detail, boolean recorded) {
    static StepResult ok(String name) {
      return new StepResult(name, true, "", true);
    }

    static StepResult unrecorded() {
      return new StepResult("", true, "", false);
    }

    static StepResult failed(String name, Exception e) {
      return new StepResult(
          name, false, e.getMessage() == null ? e.toString() : e.getMessage(), true);
    }
  }

  private StepResult execute(Action action) {
    if (action instanceof Action.PersistEpoch persist) {
      try {
        meta.persistEpoch(persist.epoch());
        return StepResult.ok("persist_epoch");
      } catch (StateStoreException e) {
        return StepResult.failed("persist_epoch", e);
      }
    }
    if (action instanceof Action.SwitchReplicationRole switchRole) {
      try {
        // A replica reports "in sync" itself once it has caught up with the new primary.
        replication
            .switchTo(switchRole.role())
            .ifPresent(position -> feedback.report(new Event.ReplicationChanged(true, position)));
        return StepResult.ok("switch_replication_role");
      } catch (StateStoreException | RuntimeException e) {
        return StepResult.failed("switch_replication_role", e);
      }
    }
    if (action instanceof Action.RunScript script) {
      String name = script.phase().name().toLowerCase() + "_failover_script";
      FailoverScripts.Outcome outcome = scripts.run(script);
      if (outcome.ran()) {
        metrics.script(script.phase().name().toLowerCase(), outcome.ok());
      }
      return new StepResult(name, outcome.ok(), outcome.detail(), outcome.ran());
    }
    if (action instanceof Action.AddVips) {
      try {
        vips.claim();
        return StepResult.ok("add_vips");
      } catch (Exception e) {
        return StepResult.failed("add_vips", e);
      }
    }
    if (action instanceof Action.RemoveVips) {
      try {
        vips.release();
        return StepResult.ok("remove_vips");
      } catch (Exception e) {
        return StepResult.failed("remove_vips", e);
      }
    }
    if (action instanceof Action.ProbeVips probe) {
      try {
        Instant probeStart = clock.instant();
        Optional<VipGroup.Conflict> conflict = vips.probeConflict(probe.since());
        log.info(
            "VIP probe: {} (requests since {}; verdict in {} ms{})",
            conflict.map(VipGroup.Conflict::detail).orElse("no other holder"),
            probe.since(),
            Duration.between(probeStart, clock.instant()).toMillis(),
            conflict
                .flatMap(VipGroup.Conflict::lastAnswerAt)
                .map(at -> "; last answer at " + at)
                .orElse(""));
        feedback.report(
            conflict
                .map(c -> new Event.ProbeFinished(true, c.detail(), c.lastAnswerAt()))
                .orElse(new Event.ProbeFinished(false, "no other MAC answers for the VIPs")));
        // Recorded with the takeover it clears the way for: its wait is part of the takeover.
        return StepResult.ok("probe_vips");
      } catch (Exception e) {
        // A probe that cannot run proves nothing either way: the controller does not claim on it,
        // and asks again; it is not a sighting of another holder (no split-brain alarm).
        // (A failed step is logged and reported to the controller as ActionFailed.)
        return new StepResult(
            "probe_vips", false, "could not run, not claiming: " + e.getMessage(), false);
      }
    }
    throw new IllegalStateException("unhandled action " + action);
  }

  private void record(Transition transition, Instant batchStart, List<HistoryEvent.Step> steps) {
    long durationMs = Duration.between(batchStart, clock.instant()).toMillis();
    String type = transition.type().label();
    HistoryEvent event =
        new HistoryEvent(
            0,
            transition.time(),
            type,
            roleName(transition.fromRole()),
            roleName(transition.toRole()),
            nodeId,
            transition.epoch(),
            transition.cause(),
            durationMs,
            steps);
    try {
      history.append(event);
    } catch (StateStoreException e) {
      log.error("cannot record {} in the history: {}", type, e.getMessage());
    }
    log.info(
        "{}: {} -> {} (epoch {}, {} ms): {}",
        type,
        event.fromRole(),
        event.toRole(),
        transition.epoch(),
        durationMs,
        transition.cause());
    metrics.transition(type);
    if (transition.toRole() == Role.PRIMARY && transition.fromRole() != Role.PRIMARY) {
      metrics.failover(type, durationMs / 1000.0);
    }
    if (transition.type() == TransitionType.FAILBACK) {
      metrics.failback(type);
    }
    Map<String, Object> published = new LinkedHashMap<>();
    published.put("type", "transition");
    published.put("time", transition.time().toString());
    published.put("transition", type);
    published.put("from", event.fromRole());
    published.put("to", event.toRole());
    published.put("epoch", transition.epoch());
    published.put("cause", transition.cause());
    published.put("duration_ms", durationMs);
    monitor.publish(published);
  }

  private void alarm(String name, String detail, boolean raised) {
    AlarmNotice.tell(log, monitor, clock.instant(), name, detail, raised);
  }

  static String roleName(Role role) {
    return role.name().toLowerCase();
  }
}
