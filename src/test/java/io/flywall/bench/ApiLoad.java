package io.flywall.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A write load against a node's API, run inside a lab namespace by {@link ReplicationLabBench} (not
 * a test). Prints one JSON line with what it measured.
 *
 * <pre>
 * ApiLoad single URL TOKEN_FILE COUNT WARMUP          sequential PUTs on one connection
 * ApiLoad batch URL TOKEN_FILE TOTAL BATCH CONNECTIONS PREFIX [WARMUP GATE_DIR]
 *                                                      POST /api/state batches
 * </pre>
 *
 * With WARMUP and GATE_DIR, the batch load first writes WARMUP changes (keys "warm-N") on the same
 * connections, creates {@code GATE_DIR/warmed}, and waits (at most 5 minutes) for {@code
 * GATE_DIR/go} before the measured TOTAL: the caller lets the replica catch up in between, and the
 * CPU time printed is that of the measured part only, as the daemons' is (a fresh JVM's start and
 * JIT compilation are not a change's cost).
 *
 * <p>Bounded: every loop ends after its count, and every request after 30 s.
 */
public final class ApiLoad {
  private ApiLoad() {}

  public static void main(String[] args) throws Exception {
    URI api = URI.create(args[1]);
    String token = Files.readString(Path.of(args[2])).strip();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    switch (args[0]) {
      case "single" ->
          single(http, api, token, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      case "batch" ->
          batch(
              http,
              api,
              token,
              Integer.parseInt(args[3]),
              Integer.parseInt(args[4]),
              Integer.parseInt(args[5]),
              args[6],
              args.length > 8 ? Integer.parseInt(args[7]) : 0,
              args.length > 8 ? Optional.of(Path.of(args[8])) : Optional.empty());
      default -> throw new IllegalArgumentException("single or batch, not " + args[0]);
    }
  }

  private static void single(HttpClient http, URI api, String token, int count, int warmup)
      throws Exception {
    for (int i = 0; i < warmup; i++) {
      put(http, api, token, "warm-" + i, i);
    }
    long[] micros = new long[count];
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      long t = System.nanoTime();
      put(http, api, token, "single-" + i, i);
      micros[i] = (System.nanoTime() - t) / 1_000;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(micros);
    System.out.printf(
        Locale.ROOT,
        "{\"count\": %d, \"seconds\": %.3f, \"rate\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}%n",
        count,
        seconds,
        count / seconds,
        micros[count / 2] / 1000.0,
        micros[(int) Math.min(count - 1, Math.round(count * 0.99))] / 1000.0);
  }

  private static void put(HttpClient http, URI api, String token, String key, long i)
      throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(api.resolve("/api/state/dhcp_leases/" + key))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"value\":" + LeaseValues.of(i) + "}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "PUT answered " + response.statusCode() + ": " + response.body());
    }
  }

  private static void batch(
      HttpClient http,
      URI api,
      String token,
      int total,
      int batch,
      int connections,
      String prefix,
      int warmup,
      Optional<Path> gate)
      throws Exception {
    List<HttpClient> clients = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      clients.add(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build());
    }
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    try {
      double warmupSeconds = 0;
      if (gate.isPresent()) {
        long warmupStart = System.nanoTime();
        post(pool, clients, api, token, warmup, batch, "warm-");
        warmupSeconds = (System.nanoTime() - warmupStart) / 1e9;
        Files.createFile(gate.get().resolve("warmed"));
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!Files.exists(gate.get().resolve("go"))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("no go in " + gate.get() + " within 5 minutes");
          }
          Thread.sleep(10);
        }
      }
      long cpuBefore = processCpuNanos();
      long startMillis = System.currentTimeMillis();
      long start = System.nanoTime();
      post(pool, clients, api, token, total, batch, prefix);
      double seconds = (System.nanoTime() - start) / 1e9;
      long cpuMicros = (processCpuNanos() - cpuBefore) / 1_000;
      System.out.printf(
          Locale.ROOT,
          "{\"count\": %d, \"seconds\": %.3f, \"rate\": %.1f, \"start_ms\": %d,"
              + " \"cpu_us\": %d, \"warmup_rate\": %.1f}%n",
          total,
          seconds,
          total / seconds,
          startMillis,
          cpuMicros,
          warmupSeconds > 0 ? warmup / warmupSeconds : 0);
    } finally {
      pool.shutdown();
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Writes leases 0 to total - 1 (keys PREFIX + number) in batches, one client per thread. */
  private static void post(
      ExecutorService pool,
      List<HttpClient> clients,
      URI api,
      String token,
      int total,
      int batch,
      String prefix)
      throws Exception {
    AtomicLong next = new AtomicLong();
    List<Future<?>> jobs = new ArrayList<>();
    for (HttpClient own : clients) {
      jobs.add(
          pool.submit(
              () -> {
                for (long first = next.getAndAdd(batch);
                    first < total;
                    first = next.getAndAdd(batch)) {
                  StringBuilder body = new StringBuilder(batch * 140).append("{\"ops\":[");
                  for (long i = first; i < Math.min(total, first + batch); i++) {
                    if (i > first) {
                      body.append(',');
                    }
                    body.append("{\"op\":\"put\",\"bucket\":\"dhcp_leases\",\"key\":\"")
                        .append(prefix)
                        .append(i)
                        .append("\",\"value\":")
                        .append(LeaseValues.of(i))
                        .append('}');
                  }
                  body.append("]}");
                  HttpResponse<String> response =
                      own.send(
                          HttpRequest.newBuilder(api.resolve("/api/state"))
                              .timeout(Duration.ofSeconds(30))
                              .header("Authorization", "Bearer " + token)
                              .header("Content-Type", "application/json")
                              .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                        "POST answered " + response.statusCode() + ": " + response.body());
                  }
                }
                return null;
              }));
    }
    for (Future<?> job : jobs) {
      job.get();
    }
  }
}
