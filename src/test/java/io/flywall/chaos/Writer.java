package io.flywall.chaos;

import io.flywall.lab.LabCluster;
import io.flywall.lab.NetLab;
import io.flywall.network.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * Keeps writing new keys to the state store through the API of the node it last saw as primary, one
 * every {@link #PERIOD_MS}, and records each with its times and whether a replica acknowledged it
 * (sync mode; {@code "replicated": false} means the write degraded to async).
 */
final class Writer implements AutoCloseable {
  static final String BUCKET = "chaos";
  static final long PERIOD_MS = 200;

  private final NetLab lab;
  private final LabCluster cluster;
  private final HistoryLog log;
  private final Thread loop;
  private volatile boolean running = true;

  Writer(NetLab lab, LabCluster cluster, HistoryLog log) {
    this.lab = lab;
    this.cluster = cluster;
    this.log = log;
    this.loop = new Thread(this::run, "writer");
    loop.setDaemon(true);
    loop.start();
  }

  private void run() {
    int n = 0;
    while (running) {
      long sent = log.now();
      write(target(), "w-" + n++, sent);
      long left = PERIOD_MS - (log.now() - sent);
      if (left > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(left * 1_000_000);
      }
    }
  }

  /** The only primary of the last round, else the preferred node. */
  private int target() {
    History.Round round = log.lastRound();
    if (round != null && round.primaries().size() == 1) {
      return round.primaries().get(0);
    }
    return History.PREFERRED;
  }

  private void write(int k, String key, long sent) {
    String token;
    try {
      token = Files.readString(cluster.tokenFile(k)).strip();
    } catch (IOException notYet) {
      log.write(new History.Write(sent, -1, k, key, false));
      return;
    }
    CommandResult result =
        lab.in(lab.nodeNamespace(k))
            .run(
                List.of(
                    "curl",
                    "-s",
                    "-m",
                    "5",
                    "-w",
                    "\n%{http_code}",
                    "-X",
                    "PUT",
                    "-H",
                    "Authorization: Bearer " + token,
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    "{\"value\":\"" + key + "\"}",
                    "http://127.0.0.1:8080/api/state/" + BUCKET + "/" + key),
                Duration.ofSeconds(7));
    String out = result.stdout().strip();
    boolean ok = result.ok() && out.endsWith("\n200");
    long acked = ok ? log.now() : -1;
    log.write(new History.Write(sent, acked, k, key, ok && out.contains("\"replicated\":true")));
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    loop.join(10_000);
  }
}
