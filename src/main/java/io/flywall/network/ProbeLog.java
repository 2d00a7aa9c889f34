package io.flywall.network;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The memory of continuous arp_ping: when each probe request for a VIP went out and which MACs
 * answered when. Pure and thread-safe; times come from the caller. ARP and NDP answers carry no
 * request id, so an answer counts for every request sent before it: an answer after the first
 * request that followed instant T proves someone held the VIP after T.
 */
public final class ProbeLog {

  /** Entries older than this are forgotten; it bounds memory, not correctness. */
  private static final Duration MEMORY = Duration.ofSeconds(30);

  /**
   * Answers kept per VIP: the receivers run for the node's life, so a flood of ARP replies or
   * neighbour advertisements for a VIP must not grow memory for 30 s. Only the oldest are dropped,
   * and the verdict needs one answer after its first counting request: dropping older ones never
   * turns an answered verdict into a silent one.
   */
  static final int MAX_ANSWERS = 1024;

  private final Map<Vip, Deque<Instant>> sent = new HashMap<>();
  private final Map<Vip, Deque<Answer>> answers = new HashMap<>();

  private record Answer(Instant at, MacAddress mac) {}

  public synchronized void sent(Vip vip, Instant at) {
    Deque<Instant> times = sent.computeIfAbsent(vip, v -> new ArrayDeque<>());
    times.addLast(at);
    while (Duration.between(times.peekFirst(), at).compareTo(MEMORY) > 0) {
      times.removeFirst();
    }
  }

  public synchronized void answered(Vip vip, MacAddress mac, Instant at) {
    Deque<Answer> list = answers.computeIfAbsent(vip, v -> new ArrayDeque<>());
    list.addLast(new Answer(at, mac));
    while (list.size() > MAX_ANSWERS
        || Duration.between(list.peekFirst().at(), at).compareTo(MEMORY) > 0) {
      list.removeFirst();
    }
  }

  /**
   * The verdict on {@code vip} from requests sent at or after {@code since}: answered once another
   * MAC answered after the first of them; silent once that first one is {@code window} old.
   */
  public synchronized ProbeVerdict verdict(Vip vip, Instant since, Instant now, Duration window) {
    Instant first = null;
    for (Instant at : sent.getOrDefault(vip, new ArrayDeque<>())) {
      if (!at.isBefore(since)) {
        first = at;
        break;
      }
    }
    if (first == null) {
      return new ProbeVerdict(vip, ProbeVerdict.Outcome.UNDECIDED, Duration.ZERO);
    }
    Set<MacAddress> macs = new LinkedHashSet<>();
    Instant last = null;
    for (Answer answer : answers.getOrDefault(vip, new ArrayDeque<>())) {
      if (!answer.at().isBefore(first)) {
        macs.add(answer.mac());
        last = answer.at();
      }
    }
    Duration waited = Duration.between(first, now);
    if (!macs.isEmpty()) {
      return new ProbeVerdict(
          vip, ProbeVerdict.Outcome.ANSWERED, new ArrayList<>(macs), waited, Optional.of(last));
    }
    return new ProbeVerdict(
        vip,
        waited.compareTo(window) >= 0
            ? ProbeVerdict.Outcome.SILENT
            : ProbeVerdict.Outcome.UNDECIDED,
        waited);
  }

  public synchronized void forget(Vip vip) {
    sent.remove(vip);
    answers.remove(vip);
  }
}
