package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * (4) The client's outage per fault within its budget: for a fault that ran alone, the longest gap
 * between the client's probe replies from the fault's start until the cluster converged again
 * (unplanned faults: failure_timeout + probe + takeover; planned ones: not one probe lost).
 * Overlapping faults are judged by the other checks only: their outages add up by design.
 */
final class OutageCheck implements Check {
  @Override
  public String name() {
    return "outage";
  }

  /** The client's view of one fault that ran alone. */
  record Measured(History.FaultRecord fault, long fromMs, long toMs, long longestGapMs, int lost) {}

  /** Every fault that ran alone in its group, measured. */
  static List<Measured> measure(History history, Bounds bounds) {
    List<Measured> measured = new ArrayList<>();
    for (History.GroupSpan group : history.groups()) {
      if (group.ran().size() != 1) {
        continue;
      }
      long limit = history.settledFrom(group, Long.MAX_VALUE) + bounds.convergenceMs();
      long to =
          history.convergedBetween(group.healMs(), limit + 1).map(History.Round::tMs).orElse(limit);
      long from = group.startMs();
      measured.add(
          new Measured(
              group.ran().get(0),
              from,
              to,
              longestGap(history, from, to),
              lost(history, from, to)));
    }
    return measured;
  }

  /** The longest time between two consecutive replies around or inside [from, to]. */
  static long longestGap(History history, long fromMs, long toMs) {
    long longest = 0;
    List<History.Reply> replies = history.replies();
    for (int i = 1; i < replies.size(); i++) {
      History.Reply a = replies.get(i - 1);
      History.Reply b = replies.get(i);
      if (b.tMs() > fromMs && a.tMs() < toMs) {
        longest = Math.max(longest, b.tMs() - a.tMs());
      }
    }
    return longest;
  }

  /**
   * Probes without a reply sent in [from, to]; a lost probe's send time is placed by its sequence
   * number after the last reply before it.
   */
  static int lost(History history, long fromMs, long toMs) {
    int lost = 0;
    List<History.Reply> replies = history.replies();
    for (int i = 1; i < replies.size(); i++) {
      History.Reply a = replies.get(i - 1);
      History.Reply b = replies.get(i);
      for (int seq = a.seq() + 1; seq < b.seq(); seq++) {
        long sent = Math.min(b.tMs(), a.tMs() + (seq - a.seq()) * history.pingIntervalMs());
        if (sent >= fromMs && sent <= toMs) {
          lost++;
        }
      }
    }
    return lost;
  }

  @Override
  public List<Violation> check(History history, Bounds bounds) {
    List<Violation> violations = new ArrayList<>();
    for (Measured m : measure(history, bounds)) {
      String what = "fault " + m.fault().id() + " " + m.fault().name() + " on n" + m.fault().node();
      if (m.fault().kind().budget == FaultKind.Budget.NO_LOSS && m.lost() > 0) {
        violations.add(
            new Violation(
                name(),
                m.fromMs(),
                what
                    + ": "
                    + m.lost()
                    + " probes lost (longest gap "
                    + m.longestGapMs()
                    + " ms); budget: none"));
      } else if (m.fault().kind().budget == FaultKind.Budget.UNPLANNED
          && m.longestGapMs() > bounds.unplannedOutageMs()) {
        violations.add(
            new Violation(
                name(),
                m.fromMs(),
                what
                    + ": client outage "
                    + m.longestGapMs()
                    + " ms, budget "
                    + bounds.unplannedOutageMs()
                    + " ms"));
      }
    }
    return violations;
  }
}
