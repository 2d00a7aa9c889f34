package io.flywall.lab;

import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A write load run inside a lab namespace (the test JVM cannot reach a namespace's API): {@code
 * StateLoad API TOKEN_FILE BUCKET PREFIX COUNT THREADS ACK_FILE}. Every acknowledged key is
 * appended to ACK_FILE at once; a thread stops after three failures in a row (the node is gone) or
 * when its share of COUNT is written.
 */
public final class StateLoad {
  private StateLoad() {}

  public static void main(String[] args) throws Exception {
    URI api = URI.create(args[0]);
    String token = Files.readString(Path.of(args[1])).strip();
    String bucket = args[2];
    String prefix = args[3];
    int count = Integer.parseInt(args[4]);
    int threads = Integer.parseInt(args[5]);
    Path acks = Path.of(args[6]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> jobs = new ArrayList<>();
    try (BufferedWriter out =
        Files.newBufferedWriter(
            acks, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (int t = 0; t < threads; t++) {
        int first = t;
        jobs.add(
            pool.submit(
                () -> {
                  int failures = 0;
                  for (int i = first; i < count && failures < 3; i += threads) {
                    String key = prefix + i;
                    try {
                      HttpResponse<String> response =
                          http.send(
                              HttpRequest.newBuilder(
                                      api.resolve("/api/state/" + bucket + "/" + key))
                                  .timeout(Duration.ofSeconds(10))
                                  .header("Authorization", "Bearer " + token)
                                  .header("Content-Type", "application/json")
                                  .PUT(
                                      HttpRequest.BodyPublishers.ofString(
                                          "{\"value\":\"v" + i + "\"}"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      // In sync mode "replicated": false means the write degraded to async: not
                      // acknowledged by a replica.
                      if (response.statusCode() == 200
                          && !response.body().contains("\"replicated\":false")) {
                        synchronized (out) {
                          out.write(key);
                          out.newLine();
                          out.flush();
                        }
                        failures = 0;
                      } else {
                        failures++;
                      }
                    } catch (Exception e) {
                      failures++;
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> job : jobs) {
        job.get(10, TimeUnit.MINUTES);
      }
    }
    pool.shutdown();
  }
}
