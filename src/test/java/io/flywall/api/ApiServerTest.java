package io.flywall.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerTest {
  @TempDir Path dir;
  private final FakeHaService ha = new FakeHaService();
  private final HaMetrics metrics = new HaMetrics();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private ApiServer server;
  private ApiToken token;

  private void start(Predicate<InetAddress> allowed) throws Exception {
    token = ApiToken.loadOrCreate(dir.resolve("api.token"), new SecureRandom());
    server =
        new ApiServer(
                new ApiServer.Settings("127.0.0.1", 0, allowed, token),
                ha,
                metrics,
                new MonitorFeed())
            .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String authorization)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private JsonNode parse(HttpResponse<String> response) throws Exception {
    return json.readTree(response.body());
  }

  private void assertError(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode body = parse(response);
    assertThat(body.get("code").asText()).isEqualTo(code);
    assertThat(body.get("error").asText()).isNotBlank();
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void statusCarriesEveryFieldOfTheContract() throws Exception {
    start(a -> true);
    HttpResponse<String> response = get("/api/ha/status");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode status = parse(response);
    assertThat(status.fieldNames())
        .toIterable()
        .contains(
            "node_id",
            "role",
            "epoch",
            "priority",
            "healthy",
            "primary_id",
            "quorum",
            "vips",
            "failback",
            "since");
    assertThat(status.get("quorum").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("required", "visible", "has_quorum");
    assertThat(status.get("vips").get(0).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("address", "interface", "held");
    assertThat(status.get("failback").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("mode", "enabled", "pending_until");
  }

  @Test
  void aConfiguredPeerNeverHeardIsListedWithItsAddressAndNoNodeId() throws Exception {
    start(a -> true);
    JsonNode never = parse(get("/api/ha/cluster")).get("nodes").get(2);
    assertThat(never.has("node_id")).isTrue();
    assertThat(never.get("node_id").isNull()).isTrue();
    assertThat(never.get("alive").asBoolean()).isFalse();
    assertThat(never.get("address").asText()).isEqualTo("127.0.0.3:9002");
  }

  @Test
  void clusterListsNodesWithTheContractFields() throws Exception {
    start(a -> true);
    JsonNode cluster = parse(get("/api/ha/cluster"));
    assertThat(cluster.fieldNames()).toIterable().contains("epoch", "primary_id", "nodes");
    assertThat(cluster.get("nodes").get(1).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "node_id",
            "role",
            "priority",
            "alive",
            "healthy",
            "last_seen_ms",
            "rtt_ms",
            "epoch",
            "replication_position",
            "in_sync",
            "address",
            "standby");
  }

  @Test
  void historyHonoursTheLimitAndRejectsABadOne() throws Exception {
    start(a -> true);
    JsonNode history = parse(get("/api/ha/history?limit=5"));
    assertThat(ha.commands).contains("history 5");
    JsonNode event = history.get("events").get(0);
    assertThat(event.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "id",
            "time",
            "type",
            "from_role",
            "to_role",
            "node_id",
            "epoch",
            "cause",
            "duration_ms",
            "steps");
    assertThat(event.get("steps").get(0).fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("name", "duration_ms", "ok", "skipped");
    assertError(get("/api/ha/history?limit=zero"), 400, "bad_request");
  }

  @Test
  void getsNeedNoTokenButPostsDo() throws Exception {
    start(a -> true);
    assertThat(get("/api/ha/status").statusCode()).isEqualTo(200);
    assertError(post("/api/ha/failover", "", null), 401, "unauthorized");
    assertError(
        post("/api/ha/failover", "", "Bearer wrong-token-wrong-token"), 401, "unauthorized");
    assertError(post("/api/ha/failover", "", token.value()), 401, "unauthorized");
    assertThat(ha.commands).noneMatch(c -> c.startsWith("failover"));
  }

  @Test
  void failoverWithTheTokenAnswers202WithFromAndTo() throws Exception {
    start(a -> true);
    HttpResponse<String> response =
        post("/api/ha/failover", "{\"target\":\"node3\"}", "Bearer " + token.value());
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(parse(response).get("from").asText()).isEqualTo("node1");
    assertThat(parse(response).get("to").asText()).isEqualTo("node3");
    assertThat(ha.commands).contains("failover node3");
  }

  @Test
  void failoverWithoutAnEligibleTargetIs409() throws Exception {
    start(a -> true);
    ha.refuseFailover = true;
    assertError(post("/api/ha/failover", "", "Bearer " + token.value()), 409, "conflict");
  }

  @Test
  void failbackTakesABooleanAndAnswersWithTheNewSetting() throws Exception {
    start(a -> true);
    HttpResponse<String> response =
        post("/api/ha/failback", "{\"enabled\": false}", "Bearer " + token.value());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(parse(response).get("failback_enabled").asBoolean()).isFalse();
    assertError(
        post("/api/ha/failback", "{\"enabled\": \"yes\"}", "Bearer " + token.value()),
        400,
        "bad_request");
  }

  @Test
  void promoteWithoutForceCanBeRefusedAndResetIsAccepted() throws Exception {
    start(a -> true);
    assertError(post("/api/ha/promote", "", "Bearer " + token.value()), 409, "conflict");
    assertThat(post("/api/ha/promote", "{\"force\":true}", "Bearer " + token.value()).statusCode())
        .isEqualTo(202);
    assertThat(post("/api/ha/reset", "", "Bearer " + token.value()).statusCode()).isEqualTo(202);
    assertThat(ha.commands).contains("promote false", "promote true", "reset");
  }

  @Test
  void standbyTakesANodeAndABooleanAndNeedsTheToken() throws Exception {
    start(a -> true);
    assertError(post("/api/ha/standby", "{\"standby\": true}", null), 401, "unauthorized");
    HttpResponse<String> response =
        post(
            "/api/ha/standby",
            "{\"node\": \"node1\", \"standby\": true}",
            "Bearer " + token.value());
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(parse(response).get("standby").asBoolean()).isTrue();
    assertThat(
            post("/api/ha/standby", "{\"standby\": false}", "Bearer " + token.value()).statusCode())
        .isEqualTo(202);
    assertError(
        post("/api/ha/standby", "{\"standby\": \"yes\"}", "Bearer " + token.value()),
        400,
        "bad_request");
    assertThat(ha.commands).containsSubsequence("standby node1 true", "standby - false");
  }

  @Test
  void reloadNeedsTheTokenAndARefusalIsA409SayingWhy() throws Exception {
    start(a -> true);
    assertError(post("/api/ha/reload", "", null), 401, "unauthorized");
    // The fake node has no config file: its reload is refused, as a bad config would be.
    assertError(post("/api/ha/reload", "", "Bearer " + token.value()), 409, "reload_refused");
  }

  @Test
  void malformedJsonIsA400ThatSaysWhere() throws Exception {
    start(a -> true);
    HttpResponse<String> response =
        post("/api/ha/failover", "{\"target\": ", "Bearer " + token.value());
    assertError(response, 400, "bad_request");
    assertThat(parse(response).get("error").asText()).contains("malformed JSON").contains("line 1");
  }

  @Test
  void oversizedBodiesAre413() throws Exception {
    start(a -> true);
    String big = "{\"target\":\"" + "x".repeat(ApiServer.MAX_BODY_BYTES) + "\"}";
    assertError(post("/api/ha/failover", big, "Bearer " + token.value()), 413, "payload_too_large");
  }

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    start(a -> true);
    assertError(get("/api/ha/nothing"), 404, "not_found");
    assertError(get("/api/replication/status"), 404, "not_found");
    assertError(post("/api/ha/status", "", "Bearer " + token.value()), 405, "method_not_allowed");
  }

  @Test
  void aSourceOutsideTheAllowListIsRefusedEvenForGets() throws Exception {
    start(a -> false);
    HttpResponse<String> response = get("/api/ha/status");
    assertError(response, 403, "forbidden");
    assertThat(parse(response).get("error").asText()).contains("api.allow");
  }

  @Test
  void metricsShowTheSameNumbersAsJsonAndPrometheusText() throws Exception {
    start(a -> true);
    metrics.heartbeatSent("127.0.0.2:9002");
    metrics.heartbeatSent("127.0.0.2:9002");
    metrics.heartbeatsRejected("FORGED", 3);
    metrics.epoch(4);
    JsonNode json = parse(get("/api/ha/metrics"));
    assertThat(json.get("heartbeats_sent_total").get("127.0.0.2:9002").asLong()).isEqualTo(2);
    assertThat(json.get("heartbeats_rejected_total").get("FORGED").asLong()).isEqualTo(3);
    assertThat(json.get("epoch").asLong()).isEqualTo(4);
    HttpResponse<String> text = get("/metrics");
    assertThat(text.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(text.body())
        .contains("flywall_heartbeats_sent_total{peer=\"127.0.0.2:9002\"} 2.0")
        .contains("flywall_heartbeats_rejected_total{reason=\"FORGED\"} 3.0")
        .contains("flywall_epoch 4.0");
  }

  @Test
  void theTokenFileIsCreatedOwnerOnlyAndReusedOnRestart() throws Exception {
    Path file = dir.resolve("sub/api.token");
    ApiToken first = ApiToken.loadOrCreate(file, new SecureRandom());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    ApiToken second = ApiToken.loadOrCreate(file, new SecureRandom());
    assertThat(second.value()).isEqualTo(first.value());
    assertThat(first.toString()).doesNotContain(first.value());
  }

  @Test
  void anEmptyTokenFileLeftByACrashIsReplacedNotFatal() throws Exception {
    Path file = dir.resolve("api.token");
    Files.writeString(file, "");

    ApiToken token = ApiToken.loadOrCreate(file, new SecureRandom());

    assertThat(token.value()).hasSize(64);
    assertThat(Files.readString(file).trim()).isEqualTo(token.value());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    try (var left = Files.list(dir)) {
      assertThat(left).as("no temporary file is left").containsExactly(file);
    }
  }

  @Test
  void aTokenFileThatIsASymbolicLinkIsNeitherFollowedNorWritten() throws Exception {
    Path elsewhere =
        Files.writeString(dir.resolve("elsewhere"), "not-a-token-but-long-enough-text");
    Path file = Files.createSymbolicLink(dir.resolve("api.token"), elsewhere);
    Path dangling = Files.createSymbolicLink(dir.resolve("other.token"), dir.resolve("nowhere"));

    assertThatThrownBy(() -> ApiToken.loadOrCreate(file, new SecureRandom()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is a symbolic link");
    assertThatThrownBy(() -> ApiToken.loadOrCreate(dangling, new SecureRandom()))
        .hasMessageContaining("is a symbolic link");
    assertThatThrownBy(() -> ApiToken.read(file)).hasMessageContaining("is a symbolic link");
    assertThat(Files.readString(elsewhere)).isEqualTo("not-a-token-but-long-enough-text");
    assertThat(dir.resolve("nowhere")).doesNotExist();
  }

  @Test
  void aTokenFileReadableByOthersIsNarrowedToTheOwner() throws Exception {
    Path file = dir.resolve("api.token");
    Files.writeString(file, "0123456789abcdef0123456789abcdef\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    ApiToken token = ApiToken.loadOrCreate(file, new SecureRandom());

    assertThat(token.value()).isEqualTo("0123456789abcdef0123456789abcdef");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void aHostHeaderThatIsNoAddressLocalhostOrOwnNameIsRefusedForEveryRequest() throws Exception {
    start(a -> true, Set.of("fw-a"), new MonitorFeed());

    for (String host :
        List.of(
            "evil.example", "evil.example:8080", "fw-a.evil.example", "127.0.0.1.evil.example")) {
      try (RawHttp raw = raw("GET", "/api/ha/status", host)) {
        assertThat(raw.status()).as(host).isEqualTo(403);
        assertThat(raw.rest()).contains("\"bad_host\"", "DNS rebinding");
      }
    }
    try (RawHttp raw = raw("GET", "/metrics", "evil.example")) {
      assertThat(raw.status()).isEqualTo(403);
    }
  }

  @Test
  void hostHeadersWithAnAddressLocalhostOrOwnNameAreServed() throws Exception {
    start(a -> true, Set.of("fw-a"), new MonitorFeed());

    for (String host :
        List.of("127.0.0.1", "127.0.0.1:8080", "[::1]:8080", "localhost", "LOCALHOST:1", "fw-a")) {
      try (RawHttp raw = raw("GET", "/api/ha/status", host)) {
        assertThat(raw.status()).as(host).isEqualTo(200);
      }
    }
  }

  @Test
  void aCrowdOfMonitorRequestsArrivingTogetherGetsNoMoreStreamsThanMaxMonitors() throws Exception {
    MonitorFeed feed = new MonitorFeed(4);
    start(a -> true, Set.of(), feed);
    int crowd = 60;
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(crowd);
    List<java.util.concurrent.Future<RawHttp>> asked = new ArrayList<>();
    try {
      for (int i = 0; i < crowd; i++) {
        asked.add(
            pool.submit(
                () -> {
                  go.await();
                  return raw("GET", "/api/ha/monitor", "127.0.0.1");
                }));
      }
      go.countDown();
      int streams = 0;
      int refused = 0;
      for (java.util.concurrent.Future<RawHttp> answer : asked) {
        RawHttp http = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
        if (http.status() == 200) {
          streams++;
        } else if (http.status() == 503) {
          refused++;
        }
      }
      assertThat(streams).as("streams opened").isEqualTo(4);
      assertThat(refused).as("answered 503 at once").isEqualTo(crowd - 4);
      await().atMost(Duration.ofSeconds(10)).until(() -> feed.subscribers() == 4);
    } finally {
      for (java.util.concurrent.Future<RawHttp> answer : asked) {
        if (answer.isDone() && !answer.isCancelled()) {
          try {
            answer.get().close();
          } catch (Exception ignored) {
            // Closing what the crowd opened.
          }
        }
      }
      pool.shutdownNow();
    }
    // Closed streams give their places back (noticed at the next keepalive); a wrong method
    // never takes one for good: all four places are free again.
    await().atMost(Duration.ofSeconds(30)).until(() -> feed.subscribers() == 0);
    try (RawHttp post = raw("POST", "/api/ha/monitor", "127.0.0.1")) {
      assertThat(post.status()).isNotEqualTo(200);
    }
    for (int i = 0; i < 4; i++) {
      assertThat(feed.reserve()).as("place " + (i + 1)).isPresent();
    }
    assertThat(feed.reserve()).isEmpty();
  }

  @Test
  void monitorStreamsBeyondMaxMonitorsGet503AndTheOthersKeepStreaming() throws Exception {
    MonitorFeed feed = new MonitorFeed(2);
    start(a -> true, Set.of(), feed);
    List<RawHttp> open = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        RawHttp stream = raw("GET", "/api/ha/monitor", "127.0.0.1");
        assertThat(stream.status()).isEqualTo(200);
        open.add(stream);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> feed.subscribers() == 2);

      try (RawHttp third = raw("GET", "/api/ha/monitor", "127.0.0.1")) {
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.rest()).contains("\"too_many_monitors\"", "api.max_monitors");
      }
      feed.publish(Map.of("type", "role", "to", "primary"));
      for (RawHttp stream : open) {
        assertThat(stream.readUntil("\"to\":\"primary\"")).contains("event: role");
      }
    } finally {
      for (RawHttp stream : open) {
        stream.close();
      }
    }
  }

  private void start(Predicate<InetAddress> allowed, Set<String> hostNames, MonitorFeed feed)
      throws Exception {
    token = ApiToken.loadOrCreate(dir.resolve("api.token"), new SecureRandom());
    server =
        new ApiServer(
                new ApiServer.Settings("127.0.0.1", 0, allowed, token, hostNames),
                ha,
                metrics,
                feed)
            .start();
  }

  /** One HTTP/1.1 request with a Host header of the test's choosing (HttpClient forbids that). */
  private RawHttp raw(String method, String path, String host) throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            (method
                    + " "
                    + path
                    + " HTTP/1.1\r\nHost: "
                    + host
                    + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    return new RawHttp(socket);
  }

  /** The raw answer: status line parsed, the rest read on demand. */
  private static final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final int status;

    RawHttp(Socket socket) throws IOException {
      this.socket = socket;
      this.in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String statusLine = in.readLine();
      this.status = Integer.parseInt(statusLine.split(" ")[1]);
    }

    int status() {
      return status;
    }

    /** Everything until the server closes the connection. */
    String rest() throws IOException {
      StringBuilder out = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.append(line).append('\n');
      }
      return out.toString();
    }

    /** Lines until one contains {@code marker} (a stream stays open). */
    String readUntil(String marker) throws IOException {
      StringBuilder out = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.append(line).append('\n');
        if (line.contains(marker)) {
          return out.toString();
        }
      }
      return out.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
