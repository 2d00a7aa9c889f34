package io.flywall.state;

import io.flywall.testing.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Two stores on one clock for each test: a primary taking writes at epoch 1 and a replica. */
abstract class PrimaryAndReplicaStores {
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  StoreFixture primary;
  StoreFixture replica;

  @BeforeEach
  void openStores() throws Exception {
    primary = new StoreFixture("fw-a", clock, LogRetention.DEFAULT);
    replica = new StoreFixture("fw-b", clock, LogRetention.DEFAULT);
    primary.store.acceptWrites(1);
  }

  @AfterEach
  void closeStores() throws Exception {
    primary.close();
    replica.close();
  }
}
