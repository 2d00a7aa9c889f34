package io.flywall.state;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** A store in its own temporary directory, for tests. */
public final class StoreFixture implements AutoCloseable {
  public final Path dir;
  public final StateDatabase db;
  public final StateStore store;

  public StoreFixture(String nodeId, Clock clock, LogRetention retention) throws Exception {
    this(Files.createTempDirectory("flywall-store-"), nodeId, clock, retention);
  }

  public StoreFixture(Path dir, String nodeId, Clock clock, LogRetention retention)
      throws Exception {
    this.dir = dir;
    this.db = StateDatabase.open(dir);
    this.store = StateStore.open(db, nodeId, clock, retention);
  }

  @Override
  public void close() throws Exception {
    db.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
