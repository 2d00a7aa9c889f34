package io.flywall.state;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The entries one transaction touches: what a write needs of them read in bulk once (never their
 * values: each row holds its digest), changed in memory in log order (a later change of a key sees
 * the earlier one), written back in bulk, one row per key. Keeps the checksum delta of what
 * changed.
 */
final class TouchedRows {
  private final Map<EntryRows.Key, EntryRows.Stored> rows;
  private final Map<EntryRows.Key, EntryRows.Written> changed = new HashMap<>();
  private long delta;
  // The changed rows in log order, once writing them back has begun, and how many are written.
  private List<EntryRows.Written> bySeq;
  private int written;

  private TouchedRows(Map<EntryRows.Key, EntryRows.Stored> rows) {
    this.rows = rows;
  }

  static TouchedRows read(EntryRows entries, Collection<EntryRows.Key> keys) throws SQLException {
    return new TouchedRows(entries.current(keys));
  }

  /** The key's row as of the changes made so far, tombstones included. */
  Optional<EntryRows.Stored> current(String bucket, String key) {
    return Optional.ofNullable(rows.get(new EntryRows.Key(bucket, key)));
  }

  /** {@code next} becomes its key's row. */
  void set(Change next) {
    EntryRows.Key key = EntryRows.Key.of(next);
    long digest = EntryRows.digestOf(next);
    EntryRows.Stored before = rows.put(key, EntryRows.Stored.of(next, digest));
    changed.put(key, new EntryRows.Written(next, digest));
    delta ^= (before == null ? 0 : before.digest()) ^ digest;
  }

  /** What the changes did to the checksum (XOR it in). */
  long delta() {
    return delta;
  }

  /**
   * Writes the changed rows whose change is at or before {@code throughSeq} and not written yet,
   * taken from their log rows: those changes must be logged already. The last call's {@code
   * throughSeq} is the last change's.
   */
  void writeBack(EntryRows entries, long throughSeq) throws SQLException {
    if (bySeq == null) {
      bySeq = new ArrayList<>(changed.values());
      bySeq.sort(Comparator.comparingLong(w -> w.row().seq()));
    }
    int from = written;
    while (written < bySeq.size() && bySeq.get(written).row().seq() <= throughSeq) {
      written++;
    }
    entries.storeLogged(bySeq.subList(from, written));
  }
}
