package io.flywall.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * (1) Never two VIP holders beyond the fencing bound. Only a daemon that runs and answers can be
 * held to it: the kernel of a frozen, killed or still starting node keeps its addresses until its
 * daemon can act, so such a node counts again from the moment it is ready or thawed.
 */
final class VipHolderCheck implements Check {
  @Override
  public String name() {
    return "vip-holders";
  }

  private record Step(long tMs, int node, Boolean held, History.DaemonState state) {}

  @Override
  public List<Violation> check(History history, Bounds bounds) {
    List<Step> steps = new ArrayList<>();
    history.vipChanges().forEach(c -> steps.add(new Step(c.tMs(), c.node(), c.held(), null)));
    history.daemonEvents().forEach(e -> steps.add(new Step(e.tMs(), e.node(), null, e.state())));
    steps.sort(Comparator.comparingLong(Step::tMs));

    Set<Integer> held = new TreeSet<>();
    Set<Integer> answering = new TreeSet<>();
    List<Violation> violations = new ArrayList<>();
    long dualSince = -1;
    Set<Integer> dualNodes = Set.of();
    for (Step step : steps) {
      if (step.held() != null) {
        if (step.held()) {
          held.add(step.node());
        } else {
          held.remove(step.node());
        }
      } else if (step.state() == History.DaemonState.READY
          || step.state() == History.DaemonState.THAWED) {
        answering.add(step.node());
      } else {
        answering.remove(step.node());
      }
      Set<Integer> accountable = new TreeSet<>(held);
      accountable.retainAll(answering);
      if (accountable.size() >= 2 && dualSince < 0) {
        dualSince = step.tMs();
        dualNodes = accountable;
      } else if (accountable.size() < 2 && dualSince >= 0) {
        judge(dualSince, step.tMs(), dualNodes, bounds, violations);
        dualSince = -1;
      }
    }
    if (dualSince >= 0) {
      judge(dualSince, history.endMs(), dualNodes, bounds, violations);
    }
    return violations;
  }

  private void judge(
      long since, long until, Set<Integer> nodes, Bounds bounds, List<Violation> violations) {
    if (until - since > bounds.fencingMs()) {
      violations.add(
          new Violation(
              name(),
              since,
              "nodes "
                  + nodes
                  + " both held the VIP for "
                  + (until - since)
                  + " ms while their daemons ran (fencing bound "
                  + bounds.fencingMs()
                  + " ms)"));
    }
  }
}
