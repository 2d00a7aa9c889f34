package io.flywall.state;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
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
  // Each key's last change, and every change in the order set (the log's), with its key: a
  // change is written back if it is still its key's last, so no sort by seq is needed.
  private final Map<EntryRows.Key, EntryRows.Written> changed;
  private final List<EntryRows.Key> keysInOrder;
  private final List<EntryRows.Written> inOrder;
  private long delta;
  // How many of inOrder were looked at by writeBack.
  private int written;

  private TouchedRows(Map<EntryRows.Key, EntryRows.Stored> rows, int expected) {
    this.rows = rows;
    this.changed = new HashMap<>(expected * 4 / 3 + 1);
    this.keysInOrder = new ArrayList<>(expected);
    this.inOrder = new ArrayList<>(expected);
  }

  static TouchedRows read(EntryRows entries, Collection<EntryRows.Key> keys) throws SQLException {
    return new TouchedRows(entries.current(keys), keys.size());
  }

  /** The key's row as of the changes made so far, tombstones included. */
  Optional<EntryRows.Stored> current(String bucket, String key) {
    return Optional.ofNullable(rows.get(new EntryRows.Key(bucket, key)));
  }

  /** {@code next} becomes its key's row. Called in log order (each change after the previous). */
  void set(Change next) {
    EntryRows.Key key = EntryRows.Key.of(next);
    long digest = EntryRows.digestOf(next);
    EntryRows.Stored before = rows.put(key, EntryRows.Stored.of(next, digest));
    EntryRows.Written w = new EntryRows.Written(next, digest);
    changed.put(key, w);
    keysInOrder.add(key);
    inOrder.add(w);
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
    List<EntryRows.Written> last = new ArrayList<>();
    while (written < inOrder.size() && inOrder.get(written).row().seq() <= throughSeq) {
      EntryRows.Written w = inOrder.get(written);
      if (changed.get(keysInOrder.get(written)) == w) {
        last.add(w);
      }
      written++;
    }
    entries.storeLogged(last);
  }
}
