package io.flywall.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.lab.NetLab;
import io.flywall.network.CommandResult;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Polls every node's API in rounds (all nodes at once, so a frozen one does not hold up the
 * others), notices daemons that became ready or exited, and samples their threads and memory.
 */
final class ClusterWatch implements AutoCloseable {
  static final long ROUND_MS = 500;
  private static final int RESOURCE_EVERY = 4;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POLL =
      "curl -s -m 1 http://127.0.0.1:8080/api/ha/status; echo;"
          + " curl -s -m 1 http://127.0.0.1:8080/api/replication/status; echo";

  private final NetLab lab;
  private final Daemons daemons;
  private final HistoryLog log;
  private final ExecutorService pool;
  private final Thread loop;
  private volatile boolean running = true;

  ClusterWatch(NetLab lab, Daemons daemons, HistoryLog log) {
    this.lab = lab;
    this.daemons = daemons;
    this.log = log;
    this.pool = Executors.newFixedThreadPool(daemons.nodes());
    this.loop = new Thread(this::run, "cluster-watch");
    loop.setDaemon(true);
    loop.start();
  }

  private void run() {
    long round = 0;
    while (running) {
      long started = log.now();
      try {
        poll(started, round++ % RESOURCE_EVERY == 0);
      } catch (Exception e) {
        if (!running) {
          return;
        }
      }
      long left = ROUND_MS - (log.now() - started);
      if (left > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(left * 1_000_000);
      }
    }
  }

  private void poll(long tMs, boolean resources) throws Exception {
    Map<Integer, Future<Optional<History.NodeView>>> answers = new TreeMap<>();
    for (int k = 1; k <= daemons.nodes(); k++) {
      int node = k;
      answers.put(k, pool.submit(() -> view(node)));
    }
    Map<Integer, History.NodeView> views = new TreeMap<>();
    for (Map.Entry<Integer, Future<Optional<History.NodeView>>> answer : answers.entrySet()) {
      answer.getValue().get(10, TimeUnit.SECONDS).ifPresent(v -> views.put(answer.getKey(), v));
    }
    log.round(new History.Round(tMs, views));
    views.keySet().forEach(daemons::answered);
    daemons.noticeExits();
    if (resources) {
      for (int k = 1; k <= daemons.nodes(); k++) {
        daemons.resources(k, tMs).ifPresent(log::resource);
      }
    }
  }

  private Optional<History.NodeView> view(int k) {
    CommandResult result =
        lab.in(lab.nodeNamespace(k)).run(List.of("sh", "-c", POLL), Duration.ofSeconds(4));
    List<String> lines = result.stdout().lines().toList();
    if (lines.size() < 2 || lines.get(0).isBlank()) {
      return Optional.empty();
    }
    try {
      JsonNode status = JSON.readTree(lines.get(0));
      JsonNode replication =
          lines.get(1).isBlank() ? JSON.createObjectNode() : JSON.readTree(lines.get(1));
      return Optional.of(
          new History.NodeView(
              status.path("role").asText("?"),
              status.path("epoch").asLong(),
              replication.path("sync_state").asText("?"),
              replication.path("checksum").asText("?")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    running = false;
    loop.interrupt();
    pool.shutdownNow();
  }
}
