package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DESIGN 10.3 group commit: writers that arrive while a transaction commits share the next one,
 * each request whole, in arrival order; a failed transaction fails exactly the requests in it.
 */
class GroupCommitTest {
  private final ExecutorService writers = Executors.newCachedThreadPool();
  private final List<List<List<WriteOp>>> groups = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstCommitMayEnd = new CountDownLatch(1);
  private volatile boolean failNext;

  @AfterEach
  void stop() {
    firstCommitMayEnd.countDown();
    writers.shutdownNow();
  }

  /** Records each group; the first commit waits until released, as a slow fsync would. */
  private List<List<Change>> commit(List<List<WriteOp>> requests) throws StateStoreException {
    groups.add(requests);
    if (groups.size() == 1) {
      try {
        firstCommitMayEnd.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    if (failNext) {
      failNext = false;
      throw new StateStoreException("disk full", null);
    }
    List<List<Change>> out = new ArrayList<>();
    for (List<WriteOp> ops : requests) {
      List<Change> changes = new ArrayList<>();
      for (WriteOp op : ops) {
        changes.add(new Change(0, 1, op.bucket(), op.key(), op.value(), 1, new Hlc(1), "n", 0));
      }
      out.add(changes);
    }
    return out;
  }

  private static List<WriteOp> puts(String... keys) {
    List<WriteOp> ops = new ArrayList<>();
    for (String key : keys) {
      ops.add(WriteOp.put("b", key, key.getBytes(UTF_8), Optional.empty()));
    }
    return ops;
  }

  private Future<List<Change>> submit(GroupCommit commits, List<WriteOp> ops) {
    CompletableFuture<List<Change>> done = new CompletableFuture<>();
    writers.execute(
        () -> {
          try {
            done.complete(commits.submit(ops));
          } catch (Exception e) {
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  @Test
  void writersArrivingDuringACommitShareTheNextTransactionEachRequestWhole() throws Exception {
    GroupCommit commits = new GroupCommit(this::commit);
    Future<List<Change>> first = submit(commits, puts("a"));
    await().atMost(Duration.ofSeconds(10)).until(() -> groups.size() == 1);
    List<Future<List<Change>>> later = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      later.add(submit(commits, puts("x" + i, "y" + i)));
      int queued = i + 1;
      // Each writer is parked behind the commit in progress before the next one comes.
      await().atMost(Duration.ofSeconds(10)).until(() -> waitingWriters() >= queued);
    }
    firstCommitMayEnd.countDown();

    assertThat(first.get().get(0).key()).isEqualTo("a");
    for (int i = 0; i < 5; i++) {
      assertThat(later.get(i).get()).extracting(Change::key).containsExactly("x" + i, "y" + i);
    }
    assertThat(groups).hasSize(2);
    assertThat(groups.get(1))
        .as("the five requests in arrival order, in one transaction")
        .hasSize(5)
        .allSatisfy(request -> assertThat(request).hasSize(2));
  }

  @Test
  void aFailedTransactionFailsEveryRequestInItAndNoOther() throws Exception {
    GroupCommit commits = new GroupCommit(this::commit);
    Future<List<Change>> first = submit(commits, puts("a"));
    await().atMost(Duration.ofSeconds(10)).until(() -> groups.size() == 1);
    Future<List<Change>> second = submit(commits, puts("b"));
    Future<List<Change>> third = submit(commits, puts("c"));
    await().atMost(Duration.ofSeconds(10)).until(() -> waitingWriters() >= 2);
    failNext = false;
    firstCommitMayEnd.countDown();
    assertThat(first.get()).hasSize(1);
    second.get();
    third.get();

    failNext = true;
    assertThatThrownBy(() -> commits.submit(puts("d")))
        .isInstanceOf(StateStoreException.class)
        .hasMessageContaining("disk full");
    assertThat(commits.submit(puts("e"))).extracting(Change::key).containsExactly("e");
  }

  /** Writer threads parked in the group commit, waiting for the commit in progress to end. */
  private static long waitingWriters() {
    return Thread.getAllStackTraces().values().stream()
        .filter(
            stack ->
                stack.length > 2
                    && stack[1].getClassName().equals("java.util.concurrent.locks.LockSupport")
                    && stack[2].getClassName().equals(GroupCommit.class.getName())
                    && stack[2].getMethodName().equals("submit"))
        .count();
  }
}
