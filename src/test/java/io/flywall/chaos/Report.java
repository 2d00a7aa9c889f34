package io.flywall.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** The run's summary table and its timeline, both for a person to read. */
final class Report {
  private Report() {}

  static String summary(History history, Bounds bounds, List<Violation> violations, String replay) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "chaos run: seed %d, %d nodes, %.1f s, %d acknowledged sync writes, %d probe replies%n",
            history.seed(),
            history.nodes(),
            history.endMs() / 1000.0,
            history.writes().stream().filter(History.Write::acknowledgedInSync).count(),
            history.replies().size()));
    out.append(
        String.format(
            Locale.ROOT,
            "bounds: fencing %d ms, convergence %d ms, unplanned outage %d ms, threads %d, RSS %d MiB%n%n",
            bounds.fencingMs(),
            bounds.convergenceMs(),
            bounds.unplannedOutageMs(),
            bounds.maxThreads(),
            bounds.maxRssKb() / 1024));
    Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    Map<FaultKind, List<OutageCheck.Measured>> alone = new EnumMap<>(FaultKind.class);
    for (History.FaultRecord f : history.faults()) {
      if (!f.skipped()) {
        counts.merge(f.kind(), 1, Integer::sum);
      }
    }
    for (OutageCheck.Measured m : OutageCheck.measure(history, bounds)) {
      alone.computeIfAbsent(m.fault().kind(), k -> new ArrayList<>()).add(m);
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%-20s %6s %6s %12s %12s %10s%n",
            "fault",
            "count",
            "alone",
            "outage p50",
            "outage max",
            "lost max"));
    for (FaultKind kind : FaultKind.values()) {
      List<OutageCheck.Measured> ms = alone.getOrDefault(kind, List.of());
      List<Long> gaps = ms.stream().map(OutageCheck.Measured::longestGapMs).sorted().toList();
      out.append(
          String.format(
              Locale.ROOT,
              "%-20s %6d %6d %12s %12s %10s%n",
              kind.name().toLowerCase(Locale.ROOT),
              counts.getOrDefault(kind, 0),
              ms.size(),
              gaps.isEmpty() ? "-" : gaps.get((gaps.size() - 1) / 2) + " ms",
              gaps.isEmpty() ? "-" : gaps.get(gaps.size() - 1) + " ms",
              ms.isEmpty()
                  ? "-"
                  : Integer.toString(
                      ms.stream().mapToInt(OutageCheck.Measured::lost).max().orElse(0))));
    }
    List<Long> starts = startTimes(history);
    out.append(
        String.format(
            Locale.ROOT,
            "daemon starts (start to first API answer): %d, p50 %s, max %s%n",
            starts.size(),
            starts.isEmpty() ? "-" : starts.get((starts.size() - 1) / 2) + " ms",
            starts.isEmpty() ? "-" : starts.get(starts.size() - 1) + " ms"));
    for (int k = 1; k <= history.nodes(); k++) {
      int node = k;
      List<History.ResourceSample> samples =
          history.resources().stream().filter(r -> r.node() == node).toList();
      if (!samples.isEmpty()) {
        out.append(
            String.format(
                Locale.ROOT,
                "n%d: threads max %d, RSS max %d MiB (%d samples)%n",
                k,
                samples.stream().mapToInt(History.ResourceSample::threads).max().orElse(0),
                samples.stream().mapToLong(History.ResourceSample::rssKb).max().orElse(0) / 1024,
                samples.size()));
      }
    }
    long skipped = history.faults().stream().filter(History.FaultRecord::skipped).count();
    out.append(String.format(Locale.ROOT, "(skipped for want of a node to hit: %d)%n%n", skipped));
    out.append("violations by check:\n");
    for (Check check : Check.all()) {
      long n = violations.stream().filter(v -> v.check().equals(check.name())).count();
      out.append(String.format(Locale.ROOT, "  %-12s %d%n", check.name(), n));
    }
    violations.forEach(v -> out.append("  ").append(v).append('\n'));
    if (!violations.isEmpty()) {
      out.append("replay: ").append(replay).append('\n');
    }
    return out.toString();
  }

  /** For each daemon start, the time until its API first answered; sorted. */
  static List<Long> startTimes(History history) {
    Map<Integer, Long> started = new java.util.HashMap<>();
    List<Long> times = new ArrayList<>();
    for (History.DaemonEvent e : history.daemonEvents()) {
      if (e.state() == History.DaemonState.STARTED) {
        started.put(e.node(), e.tMs());
      } else if (e.state() == History.DaemonState.READY && started.containsKey(e.node())) {
        times.add(e.tMs() - started.remove(e.node()));
      }
    }
    times.sort(null);
    return times;
  }

  private record Line(long tMs, int order, String text) {}

  /**
   * Faults, daemon events, role changes, VIP holders, the client's gaps over 100 ms and the writes
   * per second, in time order.
   */
  static String timeline(History history) {
    List<Line> lines = new ArrayList<>();
    for (History.FaultRecord f : history.faults()) {
      String node = f.skipped() ? "(skipped: no node to hit)" : "n" + f.node();
      lines.add(
          new Line(
              f.startMs(),
              0,
              "FAULT #" + f.id() + " group " + f.group() + " " + f.name() + " " + node));
      if (f.healMs() > f.startMs()) {
        lines.add(new Line(f.healMs(), 0, "HEAL  #" + f.id() + " " + f.name() + " " + node));
      }
    }
    history
        .daemonEvents()
        .forEach(
            e ->
                lines.add(
                    new Line(
                        e.tMs(),
                        1,
                        "DAEMON n"
                            + e.node()
                            + " "
                            + e.state().name().toLowerCase(Locale.ROOT)
                            + (e.detail().isEmpty() ? "" : " (" + e.detail() + ")"))));
    history
        .vipChanges()
        .forEach(
            c ->
                lines.add(
                    new Line(
                        c.tMs(),
                        2,
                        "VIP    n"
                            + c.node()
                            + (c.held() ? " added" : " removed")
                            + " -> holders "
                            + history.vipHoldersAt(c.tMs()))));
    Map<Integer, String> lastRole = new java.util.HashMap<>();
    for (History.Round round : history.rounds()) {
      for (int k = 1; k <= history.nodes(); k++) {
        History.NodeView view = round.views().get(k);
        String role =
            view == null
                ? "(no answer)"
                : view.role() + " epoch " + view.epoch() + " " + view.syncState();
        if (!Objects.equals(lastRole.put(k, role), role)) {
          lines.add(new Line(round.tMs(), 3, "ROLE   n" + k + " " + role));
        }
      }
    }
    history.notes().forEach(n -> lines.add(new Line(n.tMs(), 1, "NOTE   " + n.text())));
    List<History.Reply> replies = history.replies();
    for (int i = 1; i < replies.size(); i++) {
      long gap = replies.get(i).tMs() - replies.get(i - 1).tMs();
      if (gap > 100) {
        lines.add(
            new Line(
                replies.get(i - 1).tMs(),
                4,
                "CLIENT no reply for "
                    + gap
                    + " ms (probes "
                    + (replies.get(i - 1).seq() + 1)
                    + ".."
                    + (replies.get(i).seq() - 1)
                    + " lost)"));
      }
    }
    Map<Long, int[]> perSecond = new java.util.TreeMap<>();
    for (History.Write w : history.writes()) {
      int[] c = perSecond.computeIfAbsent(w.sentMs() / 1000, s -> new int[3]);
      c[w.acknowledgedInSync() ? 0 : w.ackMs() >= 0 ? 1 : 2]++;
    }
    perSecond.forEach(
        (second, c) ->
            lines.add(
                new Line(
                    second * 1000,
                    5,
                    "WRITES "
                        + c[0]
                        + " acknowledged in sync, "
                        + c[1]
                        + " degraded, "
                        + c[2]
                        + " refused or failed")));
    lines.sort(Comparator.comparingLong(Line::tMs).thenComparingInt(Line::order));
    StringBuilder out = new StringBuilder();
    for (Line line : lines) {
      out.append(String.format(Locale.ROOT, "+%9.3fs  %s%n", line.tMs() / 1000.0, line.text()));
    }
    return out.toString();
  }
}
