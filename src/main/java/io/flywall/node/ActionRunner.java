package io.flywall.node;

import io.flywall.api.HaMetrics;
import io.flywall.api.MonitorFeed;
import io.flywall.conntrack.ConnectionSync;
import io.flywall.conntrack.SyncStep;
import io.flywall.failover.Action;
import io.flywall.failover.Event;
import io.flywall.failover.Role;
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

  void submit(List<Action> actions) {
    List<Action> batch = new ArrayList<>();
    for (Action action : actions) {
      if (action instanceof Action.ReannounceVips) {
        // Not queued: winning the clients back from a stale primary must not wait for a script.
        vips.reannounce();
      } else {
        batch.add(action);
      }
    }
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
        var conflict = vips.probeConflict();
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
