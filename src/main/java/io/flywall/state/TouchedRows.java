package io.flywall.state;

import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
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

  /** Writes the changed rows, taken from their log rows: the changes must be logged first. */
  void writeBack(EntryRows entries) throws SQLException {
    entries.storeLogged(changed.values());
  }
}
