package io.flywall.node;

import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.api.StateApiException;
import io.flywall.api.StateService;
import io.flywall.replication.Replication;
import io.flywall.replication.ReplicationStatus;
import io.flywall.state.Change;
import io.flywall.state.Conflict;
import io.flywall.state.Entry;
import io.flywall.state.Hlc;
import io.flywall.state.NotPrimaryException;
import io.flywall.state.StateStoreException;
import io.flywall.state.WriteOp;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The API's view of this node's replication and state store. */
public final class StateApi implements StateService {
  private static final String NOT_REPLICATED =
      "sync_mode: no replica acknowledged this write in time; replication is degraded to async";

  private final String nodeId;
  private final Replication replication;

  public StateApi(String nodeId, Replication replication) {
    this.nodeId = nodeId;
    this.replication = replication;
  }

  @Override
  public ReplicationStatusView replicationStatus() {
    ReplicationStatus s = guard(replication::status);
    return new ReplicationStatusView(
        nodeId,
        s.role(),
        s.syncState(),
        s.syncMode(),
        s.position(),
        s.checksum(),
        s.lastSyncTime(),
        s.primaryId(),
        s.historyId(),
        s.problem(),
        s.conflicts(),
        s.peers().stream()
            .map(
                p ->
                    new PeerView(
                        p.nodeId(),
                        p.address(),
                        p.state(),
                        p.ackedPosition(),
                        p.lagChanges(),
                        p.lagMs()))
            .toList());
  }

  @Override
  public Map<String, Object> replicationStats() {
    return replication.stats();
  }

  @Override
  public CommandOutcome resync() {
    return replication.resync()
        ? CommandOutcome.accepted("dropping this replica's copy; a fresh snapshot follows")
        : CommandOutcome.refused(
            "this node is the primary (or not replicating): there is nothing to resync from");
  }

  @Override
  public Optional<StateEntry> get(String bucket, String key) {
    return guard(() -> replication.store().get(bucket, key)).map(StateApi::view);
  }

  @Override
  public List<StateEntry> list(String bucket, int limit) {
    return guard(() -> replication.store().list(bucket, limit)).stream()
        .map(StateApi::view)
        .toList();
  }

  @Override
  public StateWrite put(String bucket, String key, byte[] value, Optional<Duration> ttl) {
    Replication.Written written = write(() -> replication.put(bucket, key, value, ttl));
    return outcome(written);
  }

  @Override
  public Optional<StateWrite> delete(String bucket, String key) {
    return write(() -> replication.delete(bucket, key)).map(StateApi::outcome);
  }

  @Override
  public BatchWrite write(List<Op> ops) {
    List<WriteOp> writes = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      try {
        writes.add(
            op.kind() == Op.Kind.PUT
                ? WriteOp.put(op.bucket(), op.key(), op.value(), op.ttl())
                : WriteOp.delete(op.bucket(), op.key()));
      } catch (IllegalArgumentException e) {
        throw new StateApiException(
            400,
            "bad_request",
            "ops[" + i + "] (" + op.bucket() + "/" + op.key() + "): " + e.getMessage());
      }
    }
    Replication.BatchWritten written = write(() -> replication.write(writes));
    return new BatchWrite(
        written.count(),
        written.position(),
        written.replicated(),
        written.replicated() ? null : NOT_REPLICATED);
  }

  @Override
  public List<ConflictView> conflicts(int limit) {
    return guard(() -> replication.store().conflicts(limit)).stream().map(StateApi::view).toList();
  }

  private static StateWrite outcome(Replication.Written w) {
    Change c = w.change();
    return new StateWrite(
        c.bucket(),
        c.key(),
        c.version(),
        c.seq(),
        w.replicated(),
        w.replicated() ? null : NOT_REPLICATED);
  }

  private static StateEntry view(Entry e) {
    Text text = text(e.value());
    return new StateEntry(
        e.bucket(),
        e.key(),
        text.value,
        text.encoding,
        e.version(),
        e.hlc().toString(),
        e.origin(),
        Instant.ofEpochMilli(e.hlc().physicalMillis()).toString(),
        e.expiry().map(ms -> Instant.ofEpochMilli(ms).toString()).orElse(null));
  }

  private static ConflictView view(Conflict c) {
    return new ConflictView(
        c.id(),
        Instant.ofEpochMilli(c.timeMillis()).toString(),
        c.bucket(),
        c.key(),
        c.winnerOrigin(),
        hlc(c.winnerHlc()),
        c.loserOrigin(),
        hlc(c.loserHlc()),
        c.loserValue() == null ? null : text(c.loserValue()).value);
  }

  private static String hlc(Hlc hlc) {
    return hlc.toString();
  }

  private record Text(String value, String encoding) {}

  private static Text text(byte[] bytes) {
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return new Text(s, "utf-8");
    } catch (CharacterCodingException e) {
      return new Text(Base64.getEncoder().encodeToString(bytes), "base64");
    }
  }

  /** A store call that may fail with a database error. */
  private interface StoreCall<T> {
    T call() throws StateStoreException;
  }

  /** A write that may also be refused on a non-primary or interrupted while waiting for an ack. */
  private interface WriteCall<T> {
    T call() throws StateStoreException, NotPrimaryException, InterruptedException;
  }

  private static <T> T guard(StoreCall<T> call) {
    try {
      return call.call();
    } catch (StateStoreException e) {
      throw new StateApiException(503, "store_unavailable", e.getMessage());
    }
  }

  private static <T> T write(WriteCall<T> call) {
    try {
      return call.call();
    } catch (NotPrimaryException e) {
      throw new StateApiException(409, "not_primary", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new StateApiException(400, "bad_request", e.getMessage());
    } catch (StateStoreException e) {
      throw new StateApiException(503, "store_unavailable", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateApiException(
          503, "interrupted", "interrupted while waiting for a replica's acknowledgement");
    }
  }
}
