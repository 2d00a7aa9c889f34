package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class LogReaderTest extends PrimaryAndReplicaStores {

  private void write(int count, String prefix) throws Exception {
    List<WriteOp> ops = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ops.add(WriteOp.put("b", prefix + i, (prefix + i).getBytes(UTF_8), Optional.empty()));
    }
    primary.store.write(ops);
  }

  @Test
  void aLogReaderReadsWhatTheStoreReadsRowForRowWithTheSameLimits() throws Exception {
    write(50, "k");
    primary.store.delete("b", "k3");
    try (LogReader reader = primary.store.logReader()) {
      for (long after : new long[] {0, 1, 17, 49, 50}) {
        assertThat(reader.after(after, 10, Long.MAX_VALUE))
            .isEqualTo(primary.store.changesAfter(after, 10, Long.MAX_VALUE));
        assertThat(reader.after(after, 100, 200))
            .isEqualTo(primary.store.changesAfter(after, 100, 200));
      }
      assertThat(reader.after(51, 10, Long.MAX_VALUE).orElseThrow()).as("up to date").isEmpty();
    }
  }

  @Test
  void aLogReaderSaysWhenRetentionTrimmedWhatComesNext() throws Exception {
    try (StoreFixture small = new StoreFixture("fw-c", clock, new LogRetention(100, 1 << 30))) {
      small.store.acceptWrites(1);
      for (int round = 0; round < 3; round++) {
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          ops.add(WriteOp.put("b", "k" + round + "-" + i, new byte[] {1}, Optional.empty()));
        }
        small.store.write(ops);
      }
      try (LogReader reader = small.store.logReader()) {
        long base = small.store.logBase();
        assertThat(base).isPositive();
        assertThat(reader.after(base - 1, 10, Long.MAX_VALUE)).as("trimmed: a snapshot").isEmpty();
        assertThat(reader.after(base, 10, Long.MAX_VALUE).orElseThrow())
            .extracting(Change::seq)
            .first()
            .isEqualTo(base + 1);
      }
    }
  }

  // What it is for: a sender catching up while a commit holds the store's connection (the group
  // commit's leader, SQLite's work and fsync) reads on; through the store it would wait.
  @Test
  void aLogReaderReadsWhileACommitHoldsTheStoresConnection() throws Exception {
    write(5_000, "k");
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread committer =
        new Thread(
            () -> {
              try {
                primary.db.withConnection(
                    c -> {
                      holding.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    });
              } catch (StateStoreException e) {
                throw new IllegalStateException(e);
              }
            });
    committer.start();
    try (LogReader reader = primary.store.logReader()) {
      assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Optional<List<Change>>> throughStore =
          CompletableFuture.supplyAsync(() -> orNull(() -> primary.store.changesAfter(10, 1_000)));
      assertThat(reader.after(10, 1_000, Long.MAX_VALUE).orElseThrow())
          .hasSize(1_000)
          .first()
          .extracting(Change::seq)
          .isEqualTo(11L);
      try {
        throughStore.get(200, TimeUnit.MILLISECONDS);
        throw new AssertionError("the store's own read did not wait for the connection");
      } catch (TimeoutException expected) {
        // The store's read waits for the commit, as the reader does not.
      }
      release.countDown();
      assertThat(throughStore.get(10, TimeUnit.SECONDS).orElseThrow()).hasSize(1_000);
    } finally {
      release.countDown();
      committer.join();
    }
  }

  private interface Read<T> {
    T get() throws Exception;
  }

  private static <T> T orNull(Read<T> read) {
    try {
      return read.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
