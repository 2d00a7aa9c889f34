package io.flywall.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flywall.api.ApiModel.ApiErrorBody;
import io.flywall.api.ApiModel.CommandOutcome;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.javalin.json.JavalinJackson;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of DESIGN section 8. Every answer is JSON; every error has the shape {@code
 * {"error": "...", "code": "..."}}; GETs need only an allowed source address, every other method
 * also the bearer token.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  /** Bodies are a few small fields; anything larger is a mistake or an attack. */
  public static final int MAX_BODY_BYTES = 16 * 1024;

  /** A batch of state writes ({@code POST /api/state}) may be this large. */
  public static final int MAX_BATCH_BODY_BYTES = 8 * 1024 * 1024;

  /**
   * How much of a refused (413) body is read and dropped so its sender gets the answer: twice the
   * batch limit, so a batch cut too large still learns why.
   */
  static final long DRAIN_BYTES = 2L * MAX_BATCH_BODY_BYTES;

  /** How long a refused body is read at most (16 MiB take 0.13 s at 1 Gb/s). */
  private static final Duration DRAIN_TIME = Duration.ofSeconds(5);

  private static final Duration MONITOR_KEEPALIVE = Duration.ofSeconds(10);
  private static final String MONITOR_SLOT = "flywall.monitor.slot";

  /** Marks a request whose route already wrote its error body. */
  private static final String ANSWERED = "flywall.answered";

  private static final String TOKEN_CHECKED = "flywall.token_checked";

  private final Javalin app;

  /**
   * Configuration of one server: where to listen, who may talk to it, and what it serves.
   *
   * @param hostNames the names of this host a {@code Host} header may carry besides IP literals and
   *     {@code localhost}
   */
  public record Settings(
      String host,
      int port,
      Predicate<InetAddress> allowedSource,
      ApiToken token,
      Set<String> hostNames) {
    public Settings {
      hostNames = Set.copyOf(hostNames);
    }

    /** Without names of its own: only IP literals and {@code localhost} in {@code Host}. */
    public Settings(String host, int port, Predicate<InetAddress> allowedSource, ApiToken token) {
      this(host, port, allowedSource, token, Set.of());
    }
  }

  public ApiServer(Settings settings, HaService ha, HaMetrics metrics, MonitorFeed monitor) {
    this(settings, ha, metrics, monitor, Optional.empty());
  }

  /** With {@code state}: also the replication and state routes. */
  public ApiServer(
      Settings settings,
      HaService ha,
      HaMetrics metrics,
      MonitorFeed monitor,
      Optional<StateService> state) {
    ObjectMapper mapper = mapper();
    HostHeader hostHeader = new HostHeader(settings.hostNames());
    this.app =
        Javalin.create(
            config -> {
              config.jetty.host = settings.host().isEmpty() ? "0.0.0.0" : settings.host();
              config.jetty.port = settings.port();
              // The largest body any route takes; each route's own limit is checked before.
              config.http.maxRequestSize = MAX_BATCH_BODY_BYTES;
              config.http.prefer405over404 = true;
              config.startup.showJavalinBanner = false;
              config.jsonMapper(new JavalinJackson(mapper, false));

              config.routes.before(ctx -> authorize(ctx, settings, hostHeader));
              config.routes.before(
                  "/api/ha/monitor",
                  ctx -> {
                    // The place is taken here, before the stream opens: requests that arrive
                    // together cannot all pass a mere check.
                    Optional<MonitorFeed.Slot> slot = monitor.reserve();
                    if (slot.isEmpty()) {
                      throw new ApiException(
                          503,
                          "too_many_monitors",
                          monitor.maxSubscribers()
                              + " monitor streams are open (api.max_monitors); close one or"
                              + " raise the limit");
                    }
                    ctx.attribute(MONITOR_SLOT, slot.get());
                  });
              // A request that never became a stream (a wrong method, an error) frees its place.
              config.routes.after(
                  "/api/ha/monitor",
                  ctx -> {
                    MonitorFeed.Slot slot = ctx.attribute(MONITOR_SLOT);
                    if (slot != null) {
                      slot.release();
                    }
                  });

              config.routes.get("/api/ha/status", ctx -> ctx.json(ha.status()));
              config.routes.get("/api/ha/cluster", ctx -> ctx.json(ha.cluster()));
              config.routes.get(
                  "/api/ha/history", ctx -> ctx.json(Map.of("events", ha.history(limit(ctx)))));
              config.routes.get("/api/ha/metrics", ctx -> ctx.json(metrics.asJson()));
              config.routes.get(
                  "/metrics",
                  ctx ->
                      ctx.contentType(HaMetrics.prometheusContentType())
                          .result(metrics.prometheusText()));
              config.routes.sse("/api/ha/monitor", client -> stream(client, monitor, mapper));

              config.routes.post(
                  "/api/ha/failover",
                  ctx -> {
                    JsonNode body = body(ctx, mapper);
                    Optional<String> target = optionalText(body, "target");
                    answer(ctx, ha.failover(target), true);
                  });
              config.routes.post(
                  "/api/ha/failback",
                  ctx -> {
                    JsonNode enabled = body(ctx, mapper).get("enabled");
                    if (enabled == null || !enabled.isBoolean()) {
                      throw new ApiException(
                          400,
                          "bad_request",
                          "body must be {\"enabled\": true} or {\"enabled\": false}");
                    }
                    CommandOutcome outcome = ha.setFailback(enabled.booleanValue());
                    if (!outcome.accepted()) {
                      answer(ctx, outcome, false);
                      return;
                    }
                    ctx.json(
                        Map.of(
                            "failback_enabled",
                            enabled.booleanValue(),
                            "message",
                            outcome.message()));
                  });
              config.routes.post(
                  "/api/ha/promote",
                  ctx -> {
                    JsonNode force = body(ctx, mapper).get("force");
                    if (force != null && !force.isBoolean()) {
                      throw new ApiException(400, "bad_request", "\"force\" must be true or false");
                    }
                    answer(ctx, ha.promote(force != null && force.booleanValue()), false);
                  });
              config.routes.post(
                  "/api/ha/reset",
                  ctx -> {
                    body(ctx, mapper);
                    answer(ctx, ha.reset(), false);
                  });

              config.routes.post(
                  "/api/ha/reload",
                  ctx -> {
                    body(ctx, mapper);
                    CommandOutcome outcome = ha.reload();
                    if (!outcome.accepted()) {
                      throw new ApiException(409, "reload_refused", outcome.message());
                    }
                    ctx.status(200).json(Map.of("reloaded", true, "message", outcome.message()));
                  });
              config.routes.post(
                  "/api/ha/standby",
                  ctx -> {
                    JsonNode body = body(ctx, mapper);
                    JsonNode on = body.get("standby");
                    if (on == null || !on.isBoolean()) {
                      throw new ApiException(
                          400,
                          "bad_request",
                          "body must be {\"standby\": true} or {\"standby\": false}, with an"
                              + " optional \"node\": NODE_ID");
                    }
                    CommandOutcome outcome =
                        ha.standby(optionalText(body, "node"), on.booleanValue());
                    if (!outcome.accepted()) {
                      answer(ctx, outcome, false);
                      return;
                    }
                    Map<String, Object> answer = new java.util.LinkedHashMap<>();
                    answer.put("standby", on.booleanValue());
                    answer.put("message", outcome.message());
                    if (outcome.to() != null) {
                      answer.put("from", outcome.from());
                      answer.put("to", outcome.to());
                    }
                    ctx.status(202).json(answer);
                  });

              state.ifPresent(service -> StateRoutes.register(config.routes, service, mapper));

              config.routes.exception(
                  StateApiException.class,
                  (e, ctx) -> {
                    ctx.attribute(ANSWERED, true);
                    error(ctx, e.status(), e.code(), e.getMessage());
                  });
              config.routes.exception(
                  ApiException.class, (e, ctx) -> error(ctx, e.status, e.code, e.getMessage()));
              config.routes.exception(
                  HttpResponseException.class,
                  (e, ctx) -> {
                    int status = e.getStatus();
                    error(
                        ctx,
                        status,
                        status == 413 ? "payload_too_large" : "http_" + status,
                        status == 413 ? tooLarge(bodyLimit(ctx)) : e.getMessage());
                  });
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    log.error("API request {} {} failed", ctx.method(), ctx.path(), e);
                    error(
                        ctx,
                        500,
                        "internal",
                        "internal error: " + e.getClass().getSimpleName() + "; see the daemon log");
                  });
              config.routes.error(
                  404,
                  ctx -> {
                    // A route that answered 404 itself (an absent state key) keeps its own error
                    // body.
                    if (ctx.attribute(ANSWERED) == null) {
                      error(
                          ctx,
                          404,
                          "not_found",
                          "no such endpoint: " + ctx.method() + " " + ctx.path());
                    }
                  });
              config.routes.error(
                  405,
                  ctx ->
                      error(
                          ctx,
                          405,
                          "method_not_allowed",
                          ctx.method() + " is not allowed on " + ctx.path()));
            });
  }

  public ApiServer start() {
    app.start();
    return this;
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  static ObjectMapper mapper() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  private static void authorize(Context ctx, Settings settings, HostHeader hostHeader) {
    InetAddress source;
    try {
      source = InetAddress.getByName(ctx.req().getRemoteAddr());
    } catch (UnknownHostException e) {
      throw new ApiException(403, "forbidden", "source address not recognised");
    }
    if (!settings.allowedSource().test(source)) {
      throw new ApiException(
          403,
          "forbidden",
          "source "
              + source.getHostAddress()
              + " is not in api.allow; add it to the config's api { allow = [...] } to grant access");
    }
    String host = ctx.header("Host");
    if (!hostHeader.allows(host)) {
      throw new ApiException(
          403,
          "bad_host",
          "Host header '"
              + printable(host)
              + "' is neither an IP address, localhost nor this host's name; call the API by"
              + " address (DNS rebinding protection)");
    }
    HandlerType method = ctx.method();
    if (method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS) {
      refuseDeclaredOverLimit(ctx);
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiException(
          401,
          "unauthorized",
          "missing 'Authorization: Bearer <token>' header;"
              + " the token is in the daemon's api.token_file");
    }
    if (!header.startsWith("Bearer ")
        || !settings.token().matches(header.substring("Bearer ".length()).trim())) {
      throw new ApiException(
          401, "unauthorized", "wrong token; use the one in the daemon's api.token_file");
    }
    // Only now: a refused body is read on (drained) for a caller with the token, never for anyone
    // who can reach the port (a slow sender would hold a server thread).
    ctx.attribute(TOKEN_CHECKED, true);
    refuseDeclaredOverLimit(ctx);
  }

  private static void refuseDeclaredOverLimit(Context ctx) {
    if (ctx.req().getContentLengthLong() > bodyLimit(ctx)) {
      throw new ApiException(413, "payload_too_large", tooLarge(bodyLimit(ctx)));
    }
  }

  /** The body limit of the route {@code ctx} asks for. */
  static int bodyLimit(Context ctx) {
    return ctx.method() == HandlerType.POST && ctx.path().equals(StateRoutes.BATCH_PATH)
        ? MAX_BATCH_BODY_BYTES
        : MAX_BODY_BYTES;
  }

  static String tooLarge(int limit) {
    return "request body larger than "
        + limit
        + " bytes"
        + (limit == MAX_BODY_BYTES
            ? ""
            : "; split the batch (at most " + StateRoutes.MAX_BATCH_OPS + " ops per request)");
  }

  /** The body as text, refused (413) above {@link #MAX_BODY_BYTES} however it was sent. */
  static String smallBody(Context ctx) {
    byte[] bytes = ctx.bodyAsBytes();
    if (bytes.length > MAX_BODY_BYTES) {
      throw new ApiException(413, "payload_too_large", tooLarge(MAX_BODY_BYTES));
    }
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static int limit(Context ctx) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return 50;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= 10_000) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ApiException(
        400, "bad_request", "limit must be a whole number from 1 to 10000, was '" + raw + "'");
  }

  private static JsonNode body(Context ctx, ObjectMapper mapper) {
    String text = smallBody(ctx);
    if (text.isBlank()) {
      return mapper.createObjectNode();
    }
    try {
      JsonNode node = mapper.readTree(text);
      if (!node.isObject()) {
        throw new ApiException(400, "bad_request", "request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ApiException(
          400,
          "bad_request",
          "malformed JSON: "
              + e.getOriginalMessage()
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    }
  }

  private static Optional<String> optionalText(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      throw new ApiException(400, "bad_request", "\"" + field + "\" must be a node id string");
    }
    return Optional.of(node.asText());
  }

  private static void answer(Context ctx, CommandOutcome outcome, boolean withRoute) {
    if (!outcome.accepted()) {
      throw new ApiException(409, "conflict", outcome.message());
    }
    ctx.status(202);
    if (withRoute) {
      ctx.json(
          Map.of(
              "from",
              String.valueOf(outcome.from()),
              "to",
              String.valueOf(outcome.to()),
              "message",
              outcome.message()));
    } else {
      ctx.json(Map.of("message", outcome.message()));
    }
  }

  private static void error(Context ctx, int status, String code, String message) {
    if (status == 413) {
      drainRefusedBody(ctx);
      // The connection ends after the answer (the rest of a body longer than DRAIN_BYTES is not
      // read): said, so the client does not send its next request on it and lose it ("received no
      // bytes").
      ctx.header("Connection", "close");
    }
    ctx.status(status).json(new ApiErrorBody(message, code));
  }

  /**
   * Reads and drops what is left of a refused body, at most {@link #DRAIN_BYTES} of it. Most
   * clients send their whole body before they read the answer; a server that closed on unread bytes
   * reset the connection under them, and they saw "connection reset" instead of the 413 saying what
   * to do. A longer body (declared, or found so), a slower one, or one sent without the token is
   * left unread: the connection is closed on it.
   */
  private static void drainRefusedBody(Context ctx) {
    if (!Boolean.TRUE.equals(ctx.attribute(TOKEN_CHECKED))
        || ctx.req().getContentLengthLong() > DRAIN_BYTES) {
      return;
    }
    try {
      java.io.InputStream in = ctx.req().getInputStream();
      byte[] sink = new byte[64 * 1024];
      long left = DRAIN_BYTES;
      long deadline = System.nanoTime() + DRAIN_TIME.toNanos();
      int n;
      while (left > 0
          && System.nanoTime() < deadline
          && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0) {
        left -= n;
      }
    } catch (java.io.IOException | IllegalStateException e) {
      // The client went away, or the body was already consumed: nothing left to drain.
    }
  }

  /** At most 80 printable ASCII characters of a header, for an error message. */
  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length() && out.length() < 80; i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }

  private static void stream(SseClient client, MonitorFeed monitor, ObjectMapper mapper) {
    BlockingQueue<Map<String, Object>> queue = new ArrayBlockingQueue<>(1024);
    MonitorFeed.Slot slot = client.ctx().attribute(MONITOR_SLOT);
    if (slot == null) {
      throw new IllegalStateException("the monitor stream opened without its reserved place");
    }
    AutoCloseable subscription = slot.subscribe(queue::offer);
    client.keepAlive();
    try {
      client.sendComment("flywall monitor");
      while (!client.terminated()) {
        Map<String, Object> event = queue.poll(MONITOR_KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
          client.sendComment("keepalive");
        } else {
          client.sendEvent(String.valueOf(event.get("type")), mapper.writeValueAsString(event));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.debug("monitor stream ended: {}", e.toString());
    } finally {
      try {
        subscription.close();
      } catch (Exception ignored) {
        // Unsubscribing only removes a set entry.
      }
      client.close();
    }
  }

  /** An error answer with its HTTP status and stable code. */
  static final class ApiException extends RuntimeException {
    final int status;
    final String code;

    ApiException(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
}
