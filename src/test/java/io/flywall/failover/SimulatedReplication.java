package io.flywall.failover;

import static io.flywall.failover.SimulatedCluster.FAILURE_TIMEOUT;

import io.flywall.failover.SimulatedCluster.Node;
import io.flywall.replication.FollowPolicy;
import io.flywall.replication.PrimaryTarget;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Replication of the simulated nodes: a store that is only a position and a digest, a primary that
 * writes and streams a position to each replica every sync interval, and replicas that follow the
 * primary their controller names through the real {@link FollowPolicy} (whom to follow, when a
 * stream is silent, when to tell the controller it is caught up; or the older rules of a mutation,
 * {@link SimulatedRules#follow}). Streams cross the simulated network: a cut link loses frames, a
 * killed primary closes its streams, a primary that lost power or is paused just falls silent, a
 * paused replica reads what queued up once it resumes.
 */
final class SimulatedReplication {

  static final long SYNC_INTERVAL = 250;
  static final Duration SILENCE = FollowPolicy.silenceLimit(Duration.ofMillis(SYNC_INTERVAL));
  static final long MIN_BACKOFF = 100;
  static final long MAX_BACKOFF = 2000;
  static final long CONNECT_TIMEOUT = 2000;
  static final long HANDSHAKE_TIMEOUT = 5000;

  /**
   * How long after the primary settles every replica follows it and is caught up: the controller
   * names the new primary within a failure_timeout, a dead stream is closed after the silence
   * limit, a connect may wait out a handshake timeout and two backoffs, the first position takes a
   * sync interval.
   */
  static final long BOUND =
      FAILURE_TIMEOUT
          + SILENCE.toMillis()
          + HANDSHAKE_TIMEOUT
          + 2 * MAX_BACKOFF
          + 2 * SYNC_INTERVAL;

  /** One replication connection, replica to primary. */
  static final class Stream {
    final Node replica;
    final Node primary;
    final long epoch;
    // The primary's process this stream was opened to; a crash or restart starts another.
    final int primaryIncarnation;
    final long openedAt;
    boolean open = true;

    Stream(Node replica, Node primary, long epoch, long openedAt) {
      this.replica = replica;
      this.primary = primary;
      this.epoch = epoch;
      this.primaryIncarnation = primary.incarnation;
      this.openedAt = openedAt;
    }

    /** For invariant messages: whom, since when, and whether that process still lives. */
    String describe() {
      return "streaming from "
          + primary.id
          + " under epoch "
          + epoch
          + " since "
          + openedAt
          + " ms"
          + (primary.incarnation != primaryIncarnation ? ", a process of it that has died" : "");
    }
  }

  /** What a position frame carries. */
  record Frame(long epoch, long position, long digest) {}

  /**
   * Per node: its store, its follower, the streams it serves. Rebuilt (but the store kept) on boot.
   */
  static final class State {
    long position;
    long digest;
    FollowRules follow;
    Stream stream;
    boolean serving;
    long servingEpoch;
    final List<Stream> sessions = new ArrayList<>();
    long backoff = MIN_BACKOFF;
    boolean attemptScheduled;
    // The follower is one thread: while it connects, it does nothing else.
    boolean connecting;
    Optional<PrimaryTarget> pushed = Optional.empty();
    Optional<PrimaryTarget> lastTarget = Optional.empty();
    Frame pendingFrame;
  }

  private final SimulatedCluster sim;
  long writesStopAt = Long.MAX_VALUE;

  SimulatedReplication(SimulatedCluster sim) {
    this.sim = sim;
  }

  static PrimaryTarget target(String nodeId) {
    return new PrimaryTarget(nodeId, InetSocketAddress.createUnresolved(nodeId, 9001));
  }

  // ---- lifecycle ----

  void boot(Node node) {
    State r = node.replication;
    int incarnation = node.incarnation;
    r.follow =
        sim.rules
            .follow()
            .create(
                SILENCE,
                (caughtUp, position) ->
                    sim.at(
                        sim.now,
                        () -> {
                          if (node.incarnation == incarnation && node.controller != null) {
                            sim.stepWhenUp(node, new Event.ReplicationChanged(caughtUp, position));
                          }
                        }));
    r.stream = null;
    r.sessions.clear();
    r.serving = false;
    r.backoff = MIN_BACKOFF;
    r.attemptScheduled = false;
    r.connecting = false;
    r.pushed = Optional.empty();
    r.lastTarget = Optional.empty();
    r.pendingFrame = null;
    // Every node starts as a replica, before any heartbeat can make it primary.
    becomeReplica(node);
    sim.every(node, incarnation, SYNC_INTERVAL, () -> watch(node));
    sim.every(node, incarnation, SYNC_INTERVAL, () -> serve(node));
    sim.every(node, incarnation, sim.random.nextLong(100, 500), () -> write(node));
  }

  /** The process died: streams it served end with it (a killed one says so, a dead host not). */
  void crashed(Node node, boolean poweredOff) {
    State r = node.replication;
    for (Stream s : List.copyOf(r.sessions)) {
      if (!poweredOff) {
        sendEof(s);
      }
    }
    r.sessions.clear();
    r.serving = false;
    r.stream = null;
  }

  void resumed(Node node) {
    State r = node.replication;
    if (r.pendingFrame != null && r.stream != null) {
      Frame frame = r.pendingFrame;
      r.pendingFrame = null;
      apply(node, r.stream, frame);
    }
  }

  // ---- roles, as the node's actions switch them ----

  void becomePrimary(Node node, long epoch) {
    State r = node.replication;
    if (r.stream != null) {
      close(node, "this node became primary");
    }
    if (!r.serving || r.servingEpoch != epoch) {
      closeSessions(node);
    }
    r.serving = true;
    r.servingEpoch = epoch;
  }

  void becomeReplica(Node node) {
    State r = node.replication;
    boolean was = r.serving;
    r.serving = false;
    if (was) {
      closeSessions(node);
    }
    r.follow.rearm();
    attemptSoon(node, 0);
  }

  /** The node's loop tells replication whom the controller sees as primary after every step. */
  void controllerStepped(Node node) {
    State r = node.replication;
    Optional<PrimaryTarget> primary = primaryOf(node);
    if (!primary.equals(r.pushed)) {
      r.pushed = primary;
      if (r.follow.primaryIs(primary) && r.stream != null) {
        close(node, "the primary changed");
        attemptSoon(node, 0);
      }
    }
  }

  /** Resync: drop the copy and take a snapshot at the next connect; not caught up until then. */
  void resync(Node node) {
    State r = node.replication;
    if (r.serving || node.controller == null) {
      return;
    }
    r.follow.snapshot(0);
    if (r.stream != null) {
      close(node, "resync requested");
    }
    attemptSoon(node, 0);
  }

  private Optional<PrimaryTarget> primaryOf(Node node) {
    return node.controller
        .view(sim.instant())
        .primaryId()
        .filter(id -> !id.equals(node.id))
        .map(SimulatedReplication::target);
  }

  // ---- the primary's side ----

  private void write(Node node) {
    State r = node.replication;
    if (r.serving && node.up() && sim.now < writesStopAt) {
      r.position++;
      r.digest = r.digest * 31 + r.position * 1_000_003L + node.index + 1;
    }
  }

  private void serve(Node node) {
    State r = node.replication;
    if (!r.serving || !node.up()) {
      return;
    }
    for (Stream s : List.copyOf(r.sessions)) {
      send(s);
    }
  }

  private void send(Stream s) {
    State p = s.primary.replication;
    if (!s.open || !p.serving || p.servingEpoch != s.epoch) {
      return;
    }
    Frame frame = new Frame(s.epoch, p.position, p.digest);
    sim.transmit(
        s.primary.index,
        s.replica.index,
        () -> {
          if (s.replica.replication.stream == s && s.open) {
            if (s.replica.paused > 0) {
              s.replica.replication.pendingFrame = frame;
            } else {
              apply(s.replica, s, frame);
            }
          }
        });
  }

  private void closeSessions(Node node) {
    State r = node.replication;
    for (Stream s : List.copyOf(r.sessions)) {
      sendEof(s);
    }
    r.sessions.clear();
  }

  private void sendEof(Stream s) {
    sim.transmit(
        s.primary.index,
        s.replica.index,
        () -> {
          Node replica = s.replica;
          if (replica.replication.stream == s && replica.crashed == 0) {
            close(replica, "the primary closed the connection");
            attemptSoon(replica, 0);
          }
        });
  }

  // ---- the replica's side ----

  private void apply(Node node, Stream s, Frame frame) {
    State r = node.replication;
    if (frame.epoch() < node.controller.epoch()) {
      r.follow.problem(
          "refused a stream from epoch "
              + frame.epoch()
              + ", older than this node's epoch "
              + node.controller.epoch());
      close(node, "refused an older epoch");
      attemptSoon(node, MIN_BACKOFF);
      return;
    }
    // Batches, a snapshot or a merge: whatever it takes, the replica ends up with the primary's.
    r.position = frame.position();
    r.digest = frame.digest();
    r.follow.heard(sim.instant());
    r.follow.primaryAt(frame.position(), frame.digest(), r.position, r.digest, sim.instant());
  }

  /** The follower's read timeout: a stream silent for the limit is closed. */
  private void watch(Node node) {
    State r = node.replication;
    if (node.up() && r.stream != null && r.follow.silent(sim.instant())) {
      sim.note(node.id + " closes its silent stream from " + r.stream.primary.id);
      close(node, r.follow.silenceProblem());
      attemptSoon(node, r.backoff);
    }
  }

  private void close(Node node, String why) {
    State r = node.replication;
    Stream s = r.stream;
    if (s != null) {
      s.open = false;
      s.primary.replication.sessions.remove(s);
    }
    r.stream = null;
    r.pendingFrame = null;
    r.follow.closed(why);
    r.follow.ended();
  }

  private void attemptSoon(Node node, long delay) {
    State r = node.replication;
    if (r.attemptScheduled) {
      return;
    }
    r.attemptScheduled = true;
    int incarnation = node.incarnation;
    sim.at(
        sim.now + delay,
        () -> {
          r.attemptScheduled = false;
          if (node.incarnation == incarnation && node.crashed == 0) {
            attempt(node);
          }
        });
  }

  /** One turn of the follower's loop: ask the controller for the primary, connect to it. */
  private void attempt(Node node) {
    State r = node.replication;
    if (r.serving || r.stream != null || r.connecting || node.controller == null) {
      return;
    }
    if (node.paused > 0) {
      attemptSoon(node, MIN_BACKOFF);
      return;
    }
    r.follow.primaryIs(primaryOf(node));
    Optional<PrimaryTarget> target = r.follow.target();
    boolean changed = !target.equals(r.lastTarget);
    r.lastTarget = target;
    if (target.isEmpty()) {
      r.follow.closed("no primary known yet");
      retry(node, changed);
      return;
    }
    Node primary = sim.node(target.get().nodeId());
    int incarnation = node.incarnation;
    long delay;
    if (!sim.reachable(node.index, primary.index) || primary.poweredOff) {
      delay = CONNECT_TIMEOUT;
    } else if (primary.paused > 0 && primary.crashed == 0) {
      delay = HANDSHAKE_TIMEOUT;
    } else {
      delay = sim.linkDelay(node.index, primary.index) + sim.linkDelay(primary.index, node.index);
    }
    r.connecting = true;
    sim.at(
        sim.now + delay,
        () -> {
          if (node.incarnation != incarnation || node.crashed > 0) {
            return;
          }
          r.connecting = false;
          if (r.serving) {
            return;
          }
          if (primary.crashed > 0
              || primary.paused > 0
              || !sim.reachable(node.index, primary.index)) {
            r.follow.closed("cannot reach the primary " + primary.id);
            retry(node, changed);
          } else if (!primary.replication.serving) {
            r.follow.problem("the primary refused the stream: not primary");
            retry(node, true);
          } else if (!r.follow.wants(target.get())) {
            r.follow.closed("the primary changed while connecting");
            retry(node, true);
          } else {
            Stream s = new Stream(node, primary, primary.replication.servingEpoch, sim.now);
            r.stream = s;
            r.backoff = MIN_BACKOFF;
            primary.replication.sessions.add(s);
            r.follow.connected(target.get(), sim.instant());
            send(s);
          }
        });
  }

  private void retry(Node node, boolean soon) {
    State r = node.replication;
    r.backoff = soon ? MIN_BACKOFF : Math.min(MAX_BACKOFF, r.backoff * 2);
    attemptSoon(node, r.backoff);
  }
}
