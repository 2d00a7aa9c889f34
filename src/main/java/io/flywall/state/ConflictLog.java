package io.flywall.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Conflicts recorded by split-brain merges. Each is written as an ordinary entry of the reserved
 * bucket {@value #BUCKET} in the merge's transaction, so it is logged, replicated, covered by the
 * checksum and still there after a failover. Conflicts recorded before this (in the node-local
 * {@code conflicts} table) are still read.
 */
final class ConflictLog {
  static final String BUCKET = WriteOp.RESERVED_PREFIX + "conflicts";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LEGACY =
      "SELECT id, time_ms, bucket, key, winner_hlc, winner_origin,"
          + " loser_hlc, loser_origin, loser_value FROM conflicts ORDER BY id DESC LIMIT ?";

  private final StateDatabase db;
  private final EntryRows entries;

  ConflictLog(StateDatabase db, EntryRows entries) {
    this.db = db;
    this.entries = entries;
  }

  /**
   * The record of one conflict as a change at {@code seq}: its key is the position, zero-padded, so
   * key order is the order they happened in.
   */
  static Change record(
      long seq, long epoch, Hlc hlc, String nodeId, long now, Change winner, Change loser) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("time_ms", now);
    doc.put("bucket", winner.bucket());
    doc.put("key", winner.key());
    doc.put("winner_hlc", winner.hlc().value());
    doc.put("winner_origin", winner.origin());
    doc.put("loser_hlc", loser.hlc().value());
    doc.put("loser_origin", loser.origin());
    if (loser.value() == null) {
      doc.putNull("loser_value");
    } else {
      doc.put("loser_value", Base64.getEncoder().encodeToString(loser.value()));
    }
    return new Change(
        seq,
        epoch,
        BUCKET,
        String.format("%020d", seq),
        doc.toString().getBytes(StandardCharsets.UTF_8),
        1,
        hlc,
        nodeId,
        0);
  }

  /** The newest conflicts, newest first. */
  List<Conflict> newest(int limit) throws SQLException {
    List<Conflict> out = new ArrayList<>();
    for (Entry e : entries.list(BUCKET, 0, limit, true)) {
      out.add(conflict(e));
    }
    var st = db.prepared(LEGACY);
    st.setInt(1, Math.max(0, limit - out.size()));
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.add(
            new Conflict(
                rs.getLong(1),
                rs.getLong(2),
                rs.getString(3),
                rs.getString(4),
                new Hlc(rs.getLong(5)),
                rs.getString(6),
                new Hlc(rs.getLong(7)),
                rs.getString(8),
                rs.getBytes(9)));
      }
    }
    return out;
  }

  long count() throws SQLException {
    try (ResultSet rs = db.prepared("SELECT COUNT(*) FROM conflicts").executeQuery()) {
      return entries.count(BUCKET) + (rs.next() ? rs.getLong(1) : 0);
    }
  }

  private static Conflict conflict(Entry e) throws SQLException {
    try {
      JsonNode doc = JSON.readTree(e.value());
      JsonNode loser = doc.path("loser_value");
      return new Conflict(
          Long.parseLong(e.key()),
          doc.path("time_ms").asLong(),
          doc.path("bucket").asText(),
          doc.path("key").asText(),
          new Hlc(doc.path("winner_hlc").asLong()),
          doc.path("winner_origin").asText(),
          new Hlc(doc.path("loser_hlc").asLong()),
          doc.path("loser_origin").asText(),
          loser.isNull() ? null : Base64.getDecoder().decode(loser.asText()));
    } catch (IOException | IllegalArgumentException ex) {
      throw new SQLException("conflict record " + e.key() + " is unreadable: " + ex.getMessage());
    }
  }
}
