package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;

/** (5) No daemon exited unless the nemesis killed it, and no log shows an uncaught exception. */
final class CrashCheck implements Check {
  @Override
  public String name() {
    return "crashes";
  }

  @Override
  public List<Violation> check(History history, Bounds bounds) {
    List<Violation> violations = new ArrayList<>();
    for (History.DaemonEvent event : history.daemonEvents()) {
      if (event.state() == History.DaemonState.EXITED) {
        violations.add(
            new Violation(
                name(), event.tMs(), "n" + event.node() + "'s daemon exited: " + event.detail()));
      }
    }
    for (History.LogFinding finding : history.logFindings()) {
      violations.add(
          new Violation(
              name(), history.endMs(), "n" + finding.node() + " logged: " + finding.line()));
    }
    return violations;
  }
}
