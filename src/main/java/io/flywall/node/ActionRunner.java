package io.flywall.node;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.conntrack.SyncStep;
import io.flywall.failover.Action;
import io.flywall.failover.Event;
import io.flywall.failover.Role;
import io.flywall.failover.Transition;
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
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the controller's actions strictly in the order given, on one thread of its own so a
 * slow script never delays heartbeats. Each step is timed; a {@code Record} action writes the
 * transition with the steps of its batch to the history.
 */
final class ActionRunner {
  private static final Logger log = LoggerFactory.getLogger(ActionRunner.class);

  private final String nodeId;
  private final ExecutorService effects;
  private final Clock clock;
  private final NodeMeta meta;
  private final History history;
  private final VipGroup vips;
  private final FailoverScripts scripts;
  private final HaMetrics metrics;
  private final MonitorFeed monitor;
  private final Consumer<Event> feedback;
  private final Runnable announce;
  private final java.util.concurrent.atomic.AtomicBoolean probeInFlight =
      new java.util.concurrent.atomic.AtomicBoolean();
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
      Consumer<Event> feedback,
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

  /** Replication's raised alarms (a stream failing again and again), by name. */
  java.util.Map<String, String> replicationAlarms() {
    return replication.alarms();
  }

  void submit(List<Action> actions) {
    // A probe takes about a second; while one is queued or running, another adds only delay:
    // its answer would come after the first one's, and it would hold up a takeover queued behind
    // it.
    List<Action> batch =
        actions.stream()
            .filter(
                a -> !(a instanceof Action.ProbeVips) || probeInFlight.compareAndSet(false, true))
            .collect(java.util.stream.Collectors.toList());
    if (!batch.isEmpty()) {
      effects.execute(() -> run(batch));
    }
  }

  private void run(List<Action> actions) {
    Instant batchStart = clock.instant();
    List<HistoryEvent.Step> steps = new ArrayList<>();
    for (Action action : actions) {
      if (action instanceof Action.Record record) {
        record(record.transition(), batchStart, steps);
        steps = new ArrayList<>();
        batchStart = clock.instant();
        continue;
      }
      if (action instanceof Action.Announce) {
        announce.run();
        continue;
      }
      if (action instanceof Action.RaiseAlarm alarm) {
        alarm(alarm.name(), alarm.detail(), true);
        continue;
      }
      if (action instanceof Action.ClearAlarm alarm) {
        alarm(alarm.name(), alarm.detail(), false);
        continue;
      }
      if (action instanceof Action.CommitConnectionState
          || action instanceof Action.SwitchReplicationRole s && s.role() != Role.PRIMARY) {
        syncConnectionState(action, steps);
        if (action instanceof Action.CommitConnectionState) {
          continue;
        }
      }
      Instant start = clock.instant();
      StepResult result = execute(action);
      if (result.recorded()) {
        steps.add(
            new HistoryEvent.Step(
                result.name(), Duration.between(start, clock.instant()).toMillis(), result.ok()));
      }
      if (!result.ok()) {
        log.warn("{} failed: {}", result.name(), result.detail());
        feedback.accept(new Event.ActionFailed(action, result.detail()));
        if (action instanceof Action.PersistEpoch) {
          // Without a durable epoch there is no takeover: nothing after it may run.
          log.error("takeover abandoned: the epoch could not be persisted");
          return;
        }
      }
    }
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
          feedback.accept(new Event.ActionFailed(action, step.name() + ": " + step.detail()));
        }
      }
    }
  }

  private record StepResult(String name, boolean ok, String detail, boolean recorded) {
    static StepResult ok(String name) {
      return new StepResult(name, true, "", true);
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
            .ifPresent(position -> feedback.accept(new Event.ReplicationChanged(true, position)));
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
    if (action instanceof Action.ProbeVips) {
      try {
        Instant probeStart = clock.instant();
        var conflict = probeOnce();
        log.info(
            "VIP probe: {} ({} ms)",
            conflict.orElse("no other holder"),
            Duration.between(probeStart, clock.instant()).toMillis());
        feedback.accept(
            new Event.ProbeFinished(
                conflict.isPresent(), conflict.orElse("no other MAC answers for the VIPs")));
        return new StepResult("probe_vips", true, "", false);
      } catch (Exception e) {
        // A probe that cannot run proves nothing: report it as a conflict rather than risk two
        // holders.
        feedback.accept(new Event.ProbeFinished(true, "probe failed: " + e.getMessage()));
        return new StepResult("probe_vips", true, "", false);
      }
    }
    throw new IllegalStateException("unhandled action " + action);
  }

  /** Runs the probe; until it has finished, further probe requests are dropped (see submit). */
  private java.util.Optional<String> probeOnce() throws Exception {
    try {
      return vips.probeConflict();
    } finally {
      probeInFlight.set(false);
    }
  }

  private void record(Transition transition, Instant batchStart, List<HistoryEvent.Step> steps) {
    long durationMs = Duration.between(batchStart, clock.instant()).toMillis();
    HistoryEvent event =
        new HistoryEvent(
            0,
            transition.time(),
            transition.type(),
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
      log.error("cannot record {} in the history: {}", transition.type(), e.getMessage());
    }
    log.info(
        "{}: {} -> {} (epoch {}, {} ms): {}",
        transition.type(),
        event.fromRole(),
        event.toRole(),
        transition.epoch(),
        durationMs,
        transition.cause());
    metrics.transition(transition.type());
    if (transition.toRole() == Role.PRIMARY && transition.fromRole() != Role.PRIMARY) {
      metrics.failover(transition.type(), durationMs / 1000.0);
    }
    if (transition.type().equals("failback")) {
      metrics.failback(transition.type());
    }
    Map<String, Object> published = new LinkedHashMap<>();
    published.put("type", "transition");
    published.put("time", transition.time().toString());
    published.put("transition", transition.type());
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
