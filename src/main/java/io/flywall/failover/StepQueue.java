package io.flywall.failover;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node carries out the controller's decisions; the node's runner and the simulation both
 * follow these rules, so the simulation checks what the node does:
 *
 * <ul>
 *   <li>steps run one at a time, in the order given;
 *   <li>a step planned for a role generation older than the newest one submitted is skipped (and
 *       recorded as skipped): a takeover overtaken by a demotion adds no VIP, a release overtaken
 *       by a takeover runs none of its scripts. History records and alarms always happen;
 *   <li>a newer generation stops a script of an older one that is running, so a release never waits
 *       behind a script;
 *   <li>{@link Action.ReannounceVips}, {@link Action.StartProbe} and {@link Action.StopProbe} are
 *       not queued at all: the node does them at once (they change no role, and a probe that waited
 *       behind a script would start too late to help detection);
 *   <li>after a step fails, the node lets the controller see the failure before it runs the next
 *       step: if the controller gives up the role (an epoch that cannot be persisted), what is left
 *       of the takeover is stale and skipped.
 * </ul>
 *
 * <p>Pure and single-threaded; a caller that runs steps on another thread synchronizes.
 */
public final class StepQueue {

  /** One action and the generation it was planned for. */
  public record Step(Action action, long generation) {
    public Step {
      Objects.requireNonNull(action, "action");
    }
  }

  /** What to do next with a step: run it, or skip it as stale. */
  public sealed interface Next {
    Step step();

    record Run(Step step) implements Next {}

    record Skip(Step step) implements Next {}
  }

  /**
   * What submitting a decision asks of the node: do {@code atOnce} now, and stop the running step
   * if {@code stopRunning}.
   */
  public record Submitted(List<Action> atOnce, boolean stopRunning) {
    public Submitted {
      atOnce = List.copyOf(atOnce);
    }
  }

  private final Deque<Step> pending = new ArrayDeque<>();
  private long newest;
  private Step running;

  public Submitted submit(Decision decision) {
    newest = Math.max(newest, decision.generation());
    List<Action> atOnce = new ArrayList<>();
    for (int i = 0; i < decision.actions().size(); i++) {
      Action action = decision.actions().get(i);
      if (action instanceof Action.ReannounceVips
          || action instanceof Action.StartProbe
          || action instanceof Action.StopProbe) {
        atOnce.add(action);
      } else {
        pending.add(new Step(action, decision.generations().get(i)));
      }
    }
    boolean stop =
        running != null && isStale(running) && running.action() instanceof Action.RunScript;
    return new Submitted(atOnce, stop);
  }

  /** The next step, taken off the queue; a step to run counts as running until {@link #done}. */
  public Optional<Next> next() {
    Step step = pending.poll();
    if (step == null) {
      return Optional.empty();
    }
    if (isStale(step)) {
      return Optional.of(new Next.Skip(step));
    }
    running = step;
    return Optional.of(new Next.Run(step));
  }

  /** The running step ended (done, failed or stopped). */
  public void done() {
    running = null;
  }

  public boolean idle() {
    return running == null && pending.isEmpty();
  }

  /** Planned for a generation older than the newest, and not a record or an alarm. */
  public boolean isStale(Step step) {
    Action a = step.action();
    boolean alwaysHappens =
        a instanceof Action.Record
            || a instanceof Action.RaiseAlarm
            || a instanceof Action.ClearAlarm;
    return !alwaysHappens && step.generation() < newest;
  }
}
