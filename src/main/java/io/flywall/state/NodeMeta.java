package io.flywall.state;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Small durable facts about this node, above all the highest epoch it has taken part in. */
public final class NodeMeta {
  private static final String EPOCH = "epoch";
  private static final String STANDBY = "standby";

  private final StateDatabase db;

  public NodeMeta(StateDatabase db) {
    this.db = db;
  }

  public long epoch() throws StateStoreException {
    return get(EPOCH).map(Long::parseLong).orElse(0L);
  }

  /**
   * Persists {@code epoch} durably (the transaction commits with fsync) before returning. An epoch
   * never goes down: a lower value than the stored one is ignored.
   */
  public void persistEpoch(long epoch) throws StateStoreException {
    db.withConnection(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "INSERT INTO node_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                      + "CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)")) {
            st.setString(1, EPOCH);
            st.setString(2, Long.toString(epoch));
            st.executeUpdate();
          }
          return null;
        });
  }

  /** Whether an operator left this node in standby (maintenance); false when never set. */
  public boolean standby() throws StateStoreException {
    return get(STANDBY).map(Boolean::parseBoolean).orElse(false);
  }

  /** Persists the operator's standby choice durably before returning. */
  public void persistStandby(boolean standby) throws StateStoreException {
    db.withConnection(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement(
                  "INSERT INTO node_meta(key, value) VALUES (?, ?)"
                      + " ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
            st.setString(1, STANDBY);
            st.setString(2, Boolean.toString(standby));
            st.executeUpdate();
          }
          return null;
        });
  }

  Optional<String> get(String key) throws StateStoreException {
    return db.withConnection(
        c -> {
          try (PreparedStatement st =
              c.prepareStatement("SELECT value FROM node_meta WHERE key = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }
}
