package io.flywall.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Many writers, few transactions: a writer queues its request; one writer at a time leads and
 * commits everything queued so far in one transaction (one fsync) on behalf of all of them. A lone
 * writer leads at once, so a single write waits for nothing; under load the writers that arrive
 * during one commit share the next, led by the first of them. Every request is in exactly one
 * transaction, whole. Only the writers whose requests were committed are woken (and the next
 * leader): waking every waiter after every commit would take the cores from the threads that send
 * the changes on. Everything else that changes the store (apply, merge, snapshot adoption) runs
 * under the same lock as the commits, so changes are committed, and published, in log order.
 */
final class GroupCommit {
  /** A group stops growing here, so one commit stays short (an epoch write may wait behind it). */
  private static final int MAX_GROUP_OPS = 20_000;

  private static final long MAX_GROUP_BYTES = 32L * 1024 * 1024;

  /** Commits requests, all in one transaction; returns each request's changes, in order. */
  interface Transaction {
    List<List<Change>> commit(List<List<WriteOp>> requests)
        throws StateStoreException, NotPrimaryException;
  }

  /** Work that must not interleave with commits. */
  interface Exclusive<T, E extends Exception> {
    T run() throws StateStoreException, E;
  }

  private static final class Pending {
    final List<WriteOp> ops;
    final Thread owner = Thread.currentThread();
    // Written before done is set; done (volatile) publishes them to the owner.
    List<Change> changes;
    Throwable failure;
    volatile boolean done;
    volatile boolean leads;

    Pending(List<WriteOp> ops) {
      this.ops = ops;
    }
  }

  // Guards the queue and whether a leader exists; held only briefly, never while committing.
  private final Object monitor = new Object();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean led;
  // Serializes commits with exclusive work (apply, merge, snapshot adoption).
  private final ReentrantLock lock = new ReentrantLock();
  private final Transaction transaction;

  GroupCommit(Transaction transaction) {
    this.transaction = transaction;
  }

  /** Commits {@code ops} in one transaction, possibly shared with other writers' requests. */
  List<Change> submit(List<WriteOp> ops) throws StateStoreException, NotPrimaryException {
    Pending mine = new Pending(ops);
    synchronized (monitor) {
      queue.add(mine);
      if (!led) {
        led = true;
        mine.leads = true;
      }
    }
    boolean interrupted = false;
    while (!mine.done && !mine.leads) {
      LockSupport.park(this);
      // The request is queued and will be committed: wait for it, then pass the interrupt on.
      interrupted |= Thread.interrupted();
    }
    if (!mine.done) {
      lead(mine);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (mine.failure instanceof StateStoreException e) {
      throw e;
    }
    if (mine.failure instanceof NotPrimaryException e) {
      throw e;
    }
    if (mine.failure instanceof RuntimeException e) {
      throw e;
    }
    if (mine.failure instanceof Error e) {
      throw e;
    }
    return mine.changes;
  }

  /**
   * Commits groups until {@code mine} is among the committed, then hands the lead to the first
   * request still queued, if any.
   */
  private void lead(Pending mine) {
    while (true) {
      List<Pending> group;
      synchronized (monitor) {
        group = drain();
      }
      lock.lock();
      try {
        commit(group);
      } finally {
        lock.unlock();
      }
      Pending next = null;
      synchronized (monitor) {
        if (queue.isEmpty()) {
          led = false;
        } else if (mine.done) {
          next = queue.peek();
          next.leads = true;
        }
      }
      for (Pending p : group) {
        if (p != mine) {
          LockSupport.unpark(p.owner);
        }
      }
      if (next != null) {
        LockSupport.unpark(next.owner);
      }
      if (mine.done) {
        return;
      }
    }
  }

  /** Runs {@code work} with no commit in progress or starting. */
  <T, E extends Exception> T exclusive(Exclusive<T, E> work) throws StateStoreException, E {
    lock.lock();
    try {
      return work.run();
    } finally {
      lock.unlock();
    }
  }

  /** The next group: queued requests in order, up to the group bounds. Under the monitor. */
  private List<Pending> drain() {
    List<Pending> group = new ArrayList<>();
    int ops = 0;
    long bytes = 0;
    while (!queue.isEmpty()) {
      Pending next = queue.peek();
      long size = 0;
      for (WriteOp op : next.ops) {
        size += op.sizeBound();
      }
      if (!group.isEmpty()
          && (ops + next.ops.size() > MAX_GROUP_OPS || bytes + size > MAX_GROUP_BYTES)) {
        break;
      }
      group.add(queue.poll());
      ops += next.ops.size();
      bytes += size;
    }
    return group;
  }

  private void commit(List<Pending> group) {
    List<List<WriteOp>> requests = new ArrayList<>(group.size());
    for (Pending p : group) {
      requests.add(p.ops);
    }
    try {
      List<List<Change>> changes = transaction.commit(requests);
      for (int i = 0; i < group.size(); i++) {
        group.get(i).changes = changes.get(i);
      }
    } catch (StateStoreException | NotPrimaryException | RuntimeException | Error e) {
      // Every request of the group learns the outcome, whatever it is: none waits for ever.
      for (Pending p : group) {
        p.failure = e;
      }
    }
    for (Pending p : group) {
      p.done = true;
    }
  }
}
