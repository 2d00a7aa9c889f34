package io.flywall.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.node.StateApi;
import io.flywall.replication.PeerSources;
import io.flywall.replication.Replication;
import io.flywall.replication.ReplicationSettings;
import io.flywall.state.LogRetention;
import io.flywall.state.StateDatabase;
import io.flywall.state.StateStore;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN 10.3: {@code POST /api/state} writes a batch all or nothing; a bad op is a 400 naming its
 * index; a backup answers 409; ttl is bounded to ten years on every write route.
 */
class StateBatchApiTest {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private StateDatabase db;
  private StateStore store;
  private Replication replication;
  private ApiServer server;
  private ApiToken token;

  @BeforeEach
  void start() throws Exception {
    db = StateDatabase.open(dir.resolve("state"));
    store = StateStore.open(db, "fw-a", Clock.systemUTC(), LogRetention.DEFAULT);
    replication =
        Replication.start(
            store,
            new ReplicationSettings(
                "fw-a",
                new InetSocketAddress("127.0.0.1", 0),
                true,
                true,
                1000,
                Duration.ofMillis(100),
                false,
                Duration.ofSeconds(1),
                List.of(),
                Optional.empty(),
                PeerSources.none()),
            new byte[32],
            Clock.systemUTC(),
            new SecureRandom(),
            Optional::empty,
            () -> 1,
            (sync, position) -> {});
    replication.becomePrimary(1);
    token = ApiToken.loadOrCreate(dir.resolve("api.token"), new SecureRandom());
    server =
        new ApiServer(
                new ApiServer.Settings("127.0.0.1", 0, address -> true, token),
                new FakeHaService(),
                new HaMetrics(),
                new MonitorFeed(),
                Optional.of(new StateApi("fw-a", replication)))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
    replication.close();
    db.close();
  }

  private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token.value())
            .method(method, body)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> batch(String body) throws Exception {
    return send("POST", "/api/state", HttpRequest.BodyPublishers.ofString(body));
  }

  private JsonNode assertError(HttpResponse<String> response, int status, String code)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = json.readTree(response.body());
    assertThat(body.path("code").asText()).isEqualTo(code);
    assertThat(response.body()).doesNotContain("Exception");
    return body;
  }

  private static String ops(String... ops) {
    return "{\"ops\": [" + String.join(", ", ops) + "]}";
  }

  @Test
  void aBatchIsWrittenInOneGoAndAnswersCountPositionAndReplicated() throws Exception {
    store.put("dns_records", "old", "x".getBytes(StandardCharsets.UTF_8), Optional.empty());
    HttpResponse<String> response =
        batch(
            ops(
                "{\"op\": \"put\", \"bucket\": \"dhcp_leases\", \"key\": \"aa:bb\","
                    + " \"value\": {\"ip\": \"10.0.0.5\"}, \"ttl\": \"1h\"}",
                "{\"op\": \"put\", \"bucket\": \"dhcp_leases\", \"key\": \"cc:dd\", \"value\": \"text\"}",
                "{\"op\": \"delete\", \"bucket\": \"dns_records\", \"key\": \"old\"}",
                "{\"op\": \"delete\", \"bucket\": \"dns_records\", \"key\": \"never\"}"));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode body = json.readTree(response.body());
    assertThat(body.path("count").asInt()).as("an absent key's delete writes nothing").isEqualTo(3);
    assertThat(body.path("position").asLong()).isEqualTo(4);
    assertThat(body.path("replicated").asBoolean()).isTrue();
    assertThat(new String(store.get("dhcp_leases", "aa:bb").orElseThrow().value()))
        .isEqualTo("{\"ip\":\"10.0.0.5\"}");
    assertThat(store.get("dhcp_leases", "aa:bb").orElseThrow().expiry()).isPresent();
    assertThat(store.get("dns_records", "old")).isEmpty();
  }

  @Test
  void aBadOpIsA400NamingItsIndexAndNothingOfTheBatchIsWritten() throws Exception {
    String good = "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"good\", \"value\": 1}";
    List<String[]> cases =
        List.of(
            new String[] {"{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\"}", "needs a value"},
            new String[] {
              "{\"op\": \"put\", \"bucket\": \"b b\", \"key\": \"k\", \"value\": 1}", "bucket"
            },
            new String[] {"{\"op\": \"upsert\", \"bucket\": \"b\", \"key\": \"k\"}", "\"op\""},
            new String[] {
              "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": 1, \"tll\": 5}",
              "unknown field 'tll'"
            },
            new String[] {
              "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\", \"value\": 1}", "no value"
            },
            new String[] {
              "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": 1,"
                  + " \"ttl\": \"9223372036854775807ms\"}",
              "10 years"
            },
            new String[] {
              "{\"op\": \"put\", \"bucket\": \"flywall.conflicts\", \"key\": \"k\", \"value\": 1}",
              "reserved"
            },
            new String[] {"[1]", "must be an object"});
    for (String[] bad : cases) {
      JsonNode error = assertError(batch(ops(good, good, bad[0], good)), 400, "bad_request");
      assertThat(error.path("error").asText()).startsWith("ops[2]").contains(bad[1]);
    }
    assertThat(store.position()).isZero();
    assertThat(store.get("b", "good")).isEmpty();
  }

  @Test
  void aBatchOnABackupIsRefusedWithNotPrimary() throws Exception {
    replication.becomeReplica(Optional.of("fw-b"));
    JsonNode error =
        assertError(
            batch(ops("{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": 1}")),
            409,
            "not_primary");
    assertThat(error.path("error").asText()).contains("fw-b");
  }

  @Test
  void batchesAreBoundedToTenThousandOpsAndEightMebibytes() throws Exception {
    String op = "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\"}";
    String[] many = new String[10_001];
    java.util.Arrays.fill(many, op);
    assertThat(assertError(batch(ops(many)), 400, "bad_request").path("error").asText())
        .contains("at most 10000");
    assertThat(batch(ops(java.util.Arrays.copyOf(many, 10_000))).statusCode()).isEqualTo(200);
    assertError(batch("{\"ops\": []}"), 400, "bad_request");

    String big = "x".repeat(ApiServer.MAX_BATCH_BODY_BYTES);
    assertError(
        batch(
            ops(
                "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": \""
                    + big
                    + "\"}")),
        413,
        "payload_too_large");
    // Sent without a length (chunked), the limit holds all the same.
    assertError(
        send(
            "POST",
            "/api/state",
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(("{\"ops\": \"" + big + "\"}").getBytes()))),
        413,
        "payload_too_large");
    assertThat(store.position()).isZero();
  }

  @Test
  void aClientThatSendsItsWholeOversizedBodyBeforeReadingTheAnswerGetsThe413() throws Exception {
    // Most clients (curl, scripts) send the whole body, then read. A server that closed on the
    // unread rest reset the connection under them: they saw "connection reset", not the 413.
    for (String path : List.of("/api/state", "/api/state/b/k")) {
      String method = path.equals("/api/state") ? "POST" : "PUT";
      int limit =
          path.equals("/api/state") ? ApiServer.MAX_BATCH_BODY_BYTES : ApiServer.MAX_BODY_BYTES;
      for (boolean chunked : List.of(false, true)) {
        String answer = sendWholeThenRead(method, path, limit + (1 << 20), chunked);
        assertThat(answer)
            .as(method + " " + path + (chunked ? " chunked" : ""))
            .startsWith("HTTP/1.1 413");
        assertThat(answer).contains("payload_too_large").containsIgnoringCase("connection: close");
      }
    }
    assertThat(store.position()).isZero();
  }

  @Test
  void aBodyDeclaredLargerThanWhatIsDrainedIsRefusedWithoutWaitingForIt() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + token.value()
                      + "\r\nContent-Length: "
                      + (ApiServer.DRAIN_BYTES + 1)
                      + "\r\n\r\n{")
                  .getBytes(StandardCharsets.US_ASCII));
      // Nothing more is sent: the answer must not wait for the body.
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 413").contains("payload_too_large");
    }
  }

  @Test
  void anOversizedBodySentWithoutTheTokenIsRefusedWithoutReadingIt() throws Exception {
    // Whoever can reach the port must not hold a server thread by sending a refused body slowly.
    for (String authorization : List.of("", "Authorization: Bearer wrong\r\n")) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("POST /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + authorization
                        + "Content-Length: "
                        + (ApiServer.MAX_BATCH_BODY_BYTES + 1)
                        + "\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).as(authorization).startsWith("HTTP/1.1 401").contains("unauthorized");
      }
    }
  }

  /** Writes a request with a body of {@code size} bytes in full, then reads the whole answer. */
  private String sendWholeThenRead(String method, String path, int size, boolean chunked)
      throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(20_000);
      var out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
      out.write(
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  + "Authorization: Bearer "
                  + token.value()
                  + "\r\n"
                  + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] block = new byte[1 << 16];
      java.util.Arrays.fill(block, (byte) 'x');
      for (int sent = 0; sent < size; sent += block.length) {
        int n = Math.min(block.length, size - sent);
        if (chunked) {
          out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.write(block, 0, n);
        if (chunked) {
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aPutWithATtlBeyondTenYearsIsA400AndWritesNothing() throws Exception {
    for (String ttl :
        List.of(
            "\"9223372036854775807ms\"",
            "\"99999999999999999999ms\"",
            "315619201",
            "9223372036854775807",
            "\"0s\"",
            "\"10y\"")) {
      HttpResponse<String> response =
          send(
              "PUT",
              "/api/state/b/k",
              HttpRequest.BodyPublishers.ofString("{\"value\": 1, \"ttl\": " + ttl + "}"));
      assertThat(assertError(response, 400, "bad_request").path("error").asText())
          .as(ttl)
          .contains("10 years");
    }
    assertThat(store.position()).isZero();
    HttpResponse<String> longest =
        send(
            "PUT",
            "/api/state/b/k",
            HttpRequest.BodyPublishers.ofString("{\"value\": 1, \"ttl\": \"87672h\"}"));
    assertThat(longest.statusCode()).as(longest.body()).isEqualTo(200);
  }

  @Test
  void otherRoutesStillRefuseBodiesOverSixteenKibibytesHoweverSent() throws Exception {
    String value = "{\"value\": \"" + "x".repeat(ApiServer.MAX_BODY_BYTES) + "\"}";
    HttpResponse<String> declared =
        send("PUT", "/api/state/b/k", HttpRequest.BodyPublishers.ofString(value));
    assertError(declared, 413, "payload_too_large");
    // Its body unread, the connection ends: the client must not send the next request on it (it
    // did, and lost it now and then: "header parser received no bytes").
    assertThat(declared.headers().firstValue("connection")).hasValue("close");
    assertError(
        send(
            "PUT",
            "/api/state/b/k",
            HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(value.getBytes()))),
        413,
        "payload_too_large");
    assertThat(store.position()).isZero();
  }
}
