package io.flywall.state;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Merges writes another node made while it was cut off (a split brain): per key the later write by
 * (HLC, origin) wins. A winning foreign write is re-logged here at a new position so every replica
 * gets it; every conflict, whichever side won, is logged too (see {@link ConflictLog}), so nothing
 * is dropped and the record survives a failover. Runs inside the caller's transaction.
 */
final class SplitBrainMerge {
  /** What a merge wrote: its outcome, the changes to log in order, the checksum delta. */
  record Result(MergeOutcome outcome, List<Change> logged, long delta) {}

  private final EntryRows entries;
  private final HybridClock hlc;
  private final String nodeId;

  SplitBrainMerge(EntryRows entries, HybridClock hlc, String nodeId) {
    this.entries = entries;
    this.hlc = hlc;
    this.nodeId = nodeId;
  }

  /** Merges {@code foreign}, logging after {@code position} under {@code epoch}. */
  Result merge(List<Change> foreign, long position, long epoch, long now) throws SQLException {
    int applied = 0;
    int conflicts = 0;
    int present = 0;
    long delta = 0;
    List<Change> logged = new ArrayList<>();
    for (Change theirs : foreign) {
      hlc.observe(theirs.hlc());
      Optional<Change> mine = entries.current(theirs.bucket(), theirs.key());
      if (mine.isPresent()
          && mine.get().hlc().equals(theirs.hlc())
          && mine.get().origin().equals(theirs.origin())) {
        present++;
        continue;
      }
      Change winner;
      Change loser;
      if (mine.isEmpty() || later(theirs, mine.get())) {
        Change relogged =
            theirs.at(
                position + logged.size() + 1, epoch, mine.map(Change::version).orElse(0L) + 1);
        delta ^= EntryRows.digestOf(mine) ^ entries.store(relogged);
        logged.add(relogged);
        applied++;
        if (mine.isEmpty()) {
          continue;
        }
        winner = relogged;
        loser = mine.get();
      } else {
        winner = mine.get();
        loser = theirs;
      }
      Change record =
          ConflictLog.record(
              position + logged.size() + 1, epoch, hlc.now(), nodeId, now, winner, loser);
      delta ^= entries.store(record);
      logged.add(record);
      conflicts++;
    }
    return new Result(new MergeOutcome(applied, conflicts, present), logged, delta);
  }

  private static boolean later(Change a, Change b) {
    int byClock = a.hlc().compareTo(b.hlc());
    return byClock != 0 ? byClock > 0 : a.origin().compareTo(b.origin()) > 0;
  }
}
