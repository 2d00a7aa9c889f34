package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * (3) No write acknowledged in sync mode is missing at the end from any node, and every node's
 * checksum is the same after the final heal.
 */
final class WriteCheck implements Check {
  @Override
  public String name() {
    return "writes";
  }

  @Override
  public List<Violation> check(History history, Bounds bounds) {
    List<Violation> violations = new ArrayList<>();
    List<String> acknowledged =
        history.writes().stream()
            .filter(History.Write::acknowledgedInSync)
            .map(History.Write::key)
            .toList();
    Set<String> checksums = new TreeSet<>();
    for (History.FinalNode node : history.finals()) {
      if (node.keys().isEmpty() || node.checksum().isEmpty()) {
        violations.add(
            new Violation(
                name(),
                history.endMs(),
                "n" + node.node() + " did not answer after the final heal"));
        continue;
      }
      checksums.add(node.checksum().get());
      List<String> missing =
          acknowledged.stream().filter(key -> !node.keys().get().contains(key)).toList();
      if (!missing.isEmpty()) {
        violations.add(
            new Violation(
                name(),
                history.endMs(),
                "n"
                    + node.node()
                    + " lacks "
                    + missing.size()
                    + " of "
                    + acknowledged.size()
                    + " acknowledged sync writes, e.g. "
                    + missing.subList(0, Math.min(5, missing.size()))));
      }
    }
    if (checksums.size() > 1) {
      violations.add(
          new Violation(
              name(),
              history.endMs(),
              "checksums differ after the final heal: "
                  + history.finals().stream()
                      .map(n -> "n" + n.node() + "=" + n.checksum().orElse("?"))
                      .toList()));
    }
    return violations;
  }
}
