package io.flywall.chaos;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorders' shared notebook while a run goes on: every entry stamped with milliseconds since
 * the run's start, read out once as a {@link History} at the end.
 */
final class HistoryLog {
  private final Clock clock;
  private final long startEpochMs;
  private final List<History.FaultRecord> faults = new ArrayList<>();
  private final List<History.Round> rounds = new ArrayList<>();
  private final List<History.VipChange> vipChanges = new ArrayList<>();
  private final List<History.DaemonEvent> daemonEvents = new ArrayList<>();
  private final List<History.Write> writes = new ArrayList<>();
  private final List<History.ResourceSample> resources = new ArrayList<>();
  private final List<History.Note> notes = new ArrayList<>();

  HistoryLog(Clock clock) {
    this.clock = clock;
    this.startEpochMs = clock.millis();
  }

  long now() {
    return clock.millis() - startEpochMs;
  }

  /** Milliseconds since the start of a wall-clock time in epoch milliseconds. */
  long sinceStart(long epochMs) {
    return epochMs - startEpochMs;
  }

  synchronized void fault(History.FaultRecord fault) {
    faults.add(fault);
  }

  synchronized void round(History.Round round) {
    rounds.add(round);
  }

  synchronized History.Round lastRound() {
    return rounds.isEmpty() ? null : rounds.get(rounds.size() - 1);
  }

  synchronized void vip(History.VipChange change) {
    vipChanges.add(change);
  }

  synchronized void daemon(int node, History.DaemonState state, String detail) {
    daemonEvents.add(new History.DaemonEvent(now(), node, state, detail));
  }

  synchronized void write(History.Write write) {
    writes.add(write);
  }

  synchronized void note(String text) {
    notes.add(new History.Note(now(), text));
  }

  synchronized void resource(History.ResourceSample sample) {
    resources.add(sample);
  }

  /** The history so far (VIP changes sorted: each node's monitor reports on its own thread). */
  synchronized History toHistory(
      long seed,
      int nodes,
      List<History.Reply> replies,
      long pingIntervalMs,
      List<History.LogFinding> findings,
      List<History.FinalNode> finals) {
    List<History.VipChange> vips = new ArrayList<>(vipChanges);
    vips.sort(java.util.Comparator.comparingLong(History.VipChange::tMs));
    return new History(
        seed,
        nodes,
        now(),
        faults,
        rounds,
        vips,
        daemonEvents,
        writes,
        replies,
        pingIntervalMs,
        resources,
        findings,
        finals,
        notes);
  }

  /** A snapshot for the nemesis, which needs the VIP holders while the run goes on. */
  synchronized History snapshot(int nodes) {
    return toHistory(0, nodes, List.of(), 1, List.of(), List.of());
  }
}
