package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * (6) Thread count and resident memory of every daemon stay under fixed bounds over the whole run:
 * a leak of threads or memory under repeated faults crosses them in a long run.
 */
final class ResourceCheck implements Check {
  @Override
  public String name() {
    return "resources";
  }

  @Override
  public List<Violation> check(History history, Bounds bounds) {
    List<Violation> violations = new ArrayList<>();
    Set<String> reported = new TreeSet<>();
    for (History.ResourceSample s : history.resources()) {
      if (s.threads() > bounds.maxThreads() && reported.add(s.node() + "threads")) {
        violations.add(
            new Violation(
                name(),
                s.tMs(),
                "n"
                    + s.node()
                    + " runs "
                    + s.threads()
                    + " threads (bound "
                    + bounds.maxThreads()
                    + ")"));
      }
      if (s.rssKb() > bounds.maxRssKb() && reported.add(s.node() + "rss")) {
        violations.add(
            new Violation(
                name(),
                s.tMs(),
                "n"
                    + s.node()
                    + " resident memory "
                    + s.rssKb() / 1024
                    + " MiB (bound "
                    + bounds.maxRssKb() / 1024
                    + " MiB)"));
      }
    }
    return violations;
  }
}
