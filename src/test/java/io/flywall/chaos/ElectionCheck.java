package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * (2) After each heal (or, if the group restarted a daemon, after its first answer), exactly one
 * primary within the convergence bound, and it is the preferred node: every node is up and healthy
 * again and failback is automatic, so stickiness lasts no longer than failback_delay, which the
 * bound includes. Once converged, the role stays put until the next fault.
 */
final class ElectionCheck implements Check {
  @Override
  public String name() {
    return "election";
  }

  @Override
  public List<Violation> check(History history, Bounds bounds) {
    List<Violation> violations = new ArrayList<>();
    List<History.GroupSpan> groups = history.groups();
    for (int i = 0; i < groups.size(); i++) {
      History.GroupSpan group = groups.get(i);
      long next = i + 1 < groups.size() ? groups.get(i + 1).startMs() : history.endMs();
      long deadline = history.settledFrom(group, next) + bounds.convergenceMs();
      Optional<History.Round> converged =
          history.convergedBetween(group.healMs(), Math.min(deadline, next) + 1);
      if (converged.isEmpty()) {
        violations.add(
            new Violation(
                name(),
                group.healMs(),
                "group "
                    + group.group()
                    + ": no single primary n"
                    + History.PREFERRED
                    + " holding the VIP within "
                    + bounds.convergenceMs()
                    + " ms of the heal (or of a restarted daemon's first answer); last seen: "
                    + lastSeen(history, Math.min(deadline, next))));
        continue;
      }
      for (History.Round round : history.rounds()) {
        if (round.tMs() > converged.get().tMs()
            && round.tMs() < next
            && !List.of(History.PREFERRED).containsAll(round.primaries())) {
          violations.add(
              new Violation(
                  name(),
                  round.tMs(),
                  "group "
                      + group.group()
                      + ": primaries "
                      + round.primaries()
                      + " after the cluster had converged on n"
                      + History.PREFERRED
                      + ", with no fault running"));
          break;
        }
      }
    }
    return violations;
  }

  private static String lastSeen(History history, long until) {
    History.Round last = null;
    for (History.Round round : history.rounds()) {
      if (round.tMs() <= until) {
        last = round;
      }
    }
    return last == null
        ? "no round"
        : "primaries " + last.primaries() + ", VIP holders " + history.vipHoldersAt(last.tMs());
  }
}
