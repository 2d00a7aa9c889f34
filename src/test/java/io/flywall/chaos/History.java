package io.flywall.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a run recorded, in milliseconds since its start; the checkers read nothing else. Lists are
 * in time order per recorder.
 *
 * @param nodes the number of firewall nodes (n1..nN; n1 is the preferred one)
 * @param endMs when recording stopped
 */
record History(
    long seed,
    int nodes,
    long endMs,
    List<FaultRecord> faults,
    List<Round> rounds,
    List<VipChange> vipChanges,
    List<DaemonEvent> daemonEvents,
    List<Write> writes,
    List<Reply> replies,
    long pingIntervalMs,
    List<ResourceSample> resources,
    List<LogFinding> logFindings,
    List<FinalNode> finals,
    List<Note> notes) {

  History {
    faults = List.copyOf(faults);
    rounds = List.copyOf(rounds);
    vipChanges = List.copyOf(vipChanges);
    daemonEvents = List.copyOf(daemonEvents);
    writes = List.copyOf(writes);
    replies = List.copyOf(replies);
    resources = List.copyOf(resources);
    logFindings = List.copyOf(logFindings);
    finals = List.copyOf(finals);
    notes = List.copyOf(notes);
  }

  /** The faults of each group, in order, with the group's first start and last heal. */
  List<GroupSpan> groups() {
    Map<Integer, List<FaultRecord>> byGroup = new java.util.TreeMap<>();
    for (FaultRecord f : faults) {
      byGroup.computeIfAbsent(f.group(), g -> new ArrayList<>()).add(f);
    }
    List<GroupSpan> spans = new ArrayList<>();
    byGroup.forEach(
        (group, records) ->
            spans.add(
                new GroupSpan(
                    group,
                    records.stream().mapToLong(FaultRecord::startMs).min().orElseThrow(),
                    records.stream().mapToLong(FaultRecord::healMs).max().orElseThrow(),
                    records)));
    return spans;
  }

  /** The nodes whose kernel holds the LAN VIP at {@code tMs}. */
  Set<Integer> vipHoldersAt(long tMs) {
    Set<Integer> holders = new java.util.TreeSet<>();
    for (VipChange change : vipChanges) {
      if (change.tMs() > tMs) {
        break;
      }
      if (change.held()) {
        holders.add(change.node());
      } else {
        holders.remove(change.node());
      }
    }
    return holders;
  }

  /**
   * The first round at or after {@code fromMs} and before {@code untilMs} in which the preferred
   * node is the only primary and the only VIP holder.
   */
  Optional<Round> convergedBetween(long fromMs, long untilMs) {
    for (Round round : rounds) {
      if (round.tMs() >= fromMs
          && round.tMs() < untilMs
          && round.primaries().equals(List.of(PREFERRED))
          && vipHoldersAt(round.tMs()).equals(Set.of(PREFERRED))) {
        return Optional.of(round);
      }
    }
    return Optional.empty();
  }

  /**
   * When the convergence bound of a group starts: its heal, or later, when a daemon (re)started by
   * the group first answered. How long a JVM takes to start depends on the machine's load, not on
   * the daemon's logic; the summary reports start times on their own.
   */
  long settledFrom(GroupSpan group, long untilMs) {
    long from = group.healMs();
    for (DaemonEvent event : daemonEvents) {
      if (event.state() == DaemonState.READY
          && event.tMs() > group.startMs()
          && event.tMs() < untilMs) {
        from = Math.max(from, event.tMs());
      }
    }
    return from;
  }

  /** A group of faults as it ran. */
  record GroupSpan(int group, long startMs, long healMs, List<FaultRecord> faults) {
    List<FaultRecord> ran() {
      return faults.stream().filter(f -> !f.skipped()).toList();
    }
  }

  /** The node every healed cluster must end with as primary (lowest priority; failback auto). */
  static final int PREFERRED = 1;

  /**
   * A fault as it ran: {@code node} resolved at its start (0 when it found no node to hit and was
   * skipped); {@code healMs} equals {@code startMs} for a single action.
   */
  record FaultRecord(
      int id, int group, FaultKind kind, int node, String param, long startMs, long healMs) {
    boolean skipped() {
      return node == 0;
    }

    String name() {
      return kind.name().toLowerCase(java.util.Locale.ROOT)
          + (param.isEmpty() ? "" : "(" + param + ")");
    }
  }

  /** One poll of every node's API; a node that did not answer is absent from {@code views}. */
  record Round(long tMs, Map<Integer, NodeView> views) {
    List<Integer> primaries() {
      List<Integer> primaries = new ArrayList<>();
      views.forEach(
          (node, view) -> {
            if (view.role().equals("primary")) {
              primaries.add(node);
            }
          });
      primaries.sort(null);
      return primaries;
    }
  }

  /** One node's answer in a round. */
  record NodeView(String role, long epoch, String syncState, String checksum) {}

  /** The LAN VIP appeared in ({@code held}) or left a node's kernel. */
  record VipChange(long tMs, int node, boolean held) {}

  /** What happened to a node's daemon process. */
  record DaemonEvent(long tMs, int node, DaemonState state, String detail) {}

  /**
   * The daemon's states as far as fencing goes: only a READY daemon answers for the VIPs its kernel
   * holds; one that is dead, frozen or still starting cannot remove them.
   */
  enum DaemonState {
    STARTED,
    READY,
    KILLED,
    FROZEN,
    THAWED,
    /** Exited without the nemesis killing it: a crash. */
    EXITED
  }

  /** A write the writer sent; {@code ackMs} is -1 when it was not acknowledged. */
  record Write(long sentMs, long ackMs, int node, String key, boolean replicated) {
    boolean acknowledgedInSync() {
      return ackMs >= 0 && replicated;
    }
  }

  /** A probe reply the client received. */
  record Reply(int seq, long tMs) {}

  /** Thread count and resident memory of a daemon. */
  record ResourceSample(long tMs, int node, int threads, long rssKb) {}

  /** Something the run did or saw that is worth a line in the timeline (a refused command). */
  record Note(long tMs, String text) {}

  /** A log line that shows an uncaught exception or a crash. */
  record LogFinding(int node, String line) {}

  /**
   * A node's state after the final heal: the keys it holds of the writer's bucket and its checksum;
   * empty when it did not answer.
   */
  record FinalNode(int node, Optional<Set<String>> keys, Optional<String> checksum) {}
}
