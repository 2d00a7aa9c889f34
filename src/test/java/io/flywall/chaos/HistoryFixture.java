package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Hand-made histories for the checkers' tests: three ready nodes, n1 primary and VIP holder. */
final class HistoryFixture {
  static final Bounds BOUNDS = Bounds.of(200, 3, 5_000, 3_000);

  final List<History.FaultRecord> faults = new ArrayList<>();
  final List<History.Round> rounds = new ArrayList<>();
  final List<History.VipChange> vips = new ArrayList<>();
  final List<History.DaemonEvent> daemons = new ArrayList<>();
  final List<History.Write> writes = new ArrayList<>();
  final List<History.Reply> replies = new ArrayList<>();
  final List<History.ResourceSample> resources = new ArrayList<>();
  final List<History.LogFinding> findings = new ArrayList<>();
  final List<History.FinalNode> finals = new ArrayList<>();
  long end = 100_000;

  /** Three nodes ready at 0, n1 holding the VIP from 0. */
  static HistoryFixture healthy() {
    HistoryFixture f = new HistoryFixture();
    for (int k = 1; k <= 3; k++) {
      f.daemons.add(new History.DaemonEvent(0, k, History.DaemonState.READY, ""));
    }
    f.vips.add(new History.VipChange(0, 1, true));
    return f;
  }

  HistoryFixture fault(int id, FaultKind kind, int node, long start, long heal) {
    faults.add(new History.FaultRecord(id, id, kind, node, "", start, heal));
    return this;
  }

  /**
   * One round every 500 ms in [from, to) in which {@code primary} is the only primary (0: none).
   */
  HistoryFixture roundsWithPrimary(int primary, long from, long to) {
    for (long t = from; t < to; t += 500) {
      Map<Integer, History.NodeView> views = new TreeMap<>();
      for (int k = 1; k <= 3; k++) {
        views.put(k, new History.NodeView(k == primary ? "primary" : "backup", 1, "in_sync", "c"));
      }
      rounds.add(new History.Round(t, views));
    }
    return this;
  }

  HistoryFixture vip(long t, int node, boolean held) {
    vips.add(new History.VipChange(t, node, held));
    return this;
  }

  HistoryFixture daemon(long t, int node, History.DaemonState state) {
    daemons.add(new History.DaemonEvent(t, node, state, ""));
    return this;
  }

  /** Replies every 20 ms over [from, to), sequence numbers counted from {@code firstSeq}. */
  HistoryFixture replies(int firstSeq, long from, long to) {
    int seq = firstSeq;
    for (long t = from; t < to; t += 20) {
      replies.add(new History.Reply(seq++, t));
    }
    return this;
  }

  HistoryFixture finalNode(int node, Set<String> keys, String checksum) {
    finals.add(new History.FinalNode(node, Optional.of(keys), Optional.of(checksum)));
    return this;
  }

  History build() {
    vips.sort(java.util.Comparator.comparingLong(History.VipChange::tMs));
    return new History(
        7, 3, end, faults, rounds, vips, daemons, writes, replies, 20, resources, findings, finals,
        List.of());
  }
}
