package io.flywall.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.api.ApiModel.CommandOutcome;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The replication and state routes of DESIGN section 8. A PUT body is {@code {"value": ..., "ttl":
 * "30s"}}: a JSON string is stored as its text, any other JSON value as its JSON text.
 */
final class StateRoutes {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,256}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");

  private StateRoutes() {}

  static void register(RoutesConfig routes, StateService state, ObjectMapper mapper) {
    routes.get("/api/replication/status", ctx -> ctx.json(state.replicationStatus()));
    routes.get("/api/replication/stats", ctx -> ctx.json(state.replicationStats()));
    routes.get(
        "/api/replication/conflicts",
        ctx -> ctx.json(Map.of("conflicts", state.conflicts(limit(ctx)))));
    routes.post(
        "/api/replication/resync",
        ctx -> {
          CommandOutcome outcome = state.resync();
          if (!outcome.accepted()) {
            throw new StateApiException(409, "conflict", outcome.message());
          }
          ctx.status(202).json(Map.of("message", outcome.message()));
        });
    routes.get(
        "/api/state/{bucket}",
        ctx ->
            ctx.json(
                Map.of(
                    "bucket",
                    name(ctx, "bucket"),
                    "entries",
                    state.list(name(ctx, "bucket"), limit(ctx)))));
    routes.get(
        "/api/state/{bucket}/{key}",
        ctx ->
            ctx.json(
                state
                    .get(name(ctx, "bucket"), name(ctx, "key"))
                    .orElseThrow(
                        () ->
                            new StateApiException(
                                404,
                                "not_found",
                                "no key '"
                                    + ctx.pathParam("key")
                                    + "' in bucket '"
                                    + ctx.pathParam("bucket")
                                    + "'"))));
    routes.put(
        "/api/state/{bucket}/{key}",
        ctx -> {
          JsonNode body = body(ctx, mapper);
          JsonNode value = body.get("value");
          if (value == null || value.isNull()) {
            throw new StateApiException(
                400, "bad_request", "body must be {\"value\": ..., \"ttl\": \"30s\" (optional)}");
          }
          byte[] bytes =
              (value.isTextual() ? value.asText() : value.toString())
                  .getBytes(StandardCharsets.UTF_8);
          ctx.json(state.put(name(ctx, "bucket"), name(ctx, "key"), bytes, ttl(body.get("ttl"))));
        });
    routes.delete(
        "/api/state/{bucket}/{key}",
        ctx ->
            ctx.json(
                state
                    .delete(name(ctx, "bucket"), name(ctx, "key"))
                    .orElseThrow(
                        () ->
                            new StateApiException(
                                404,
                                "not_found",
                                "no key '"
                                    + ctx.pathParam("key")
                                    + "' in bucket '"
                                    + ctx.pathParam("bucket")
                                    + "'"))));
  }

  private static String name(Context ctx, String param) {
    String value = ctx.pathParam(param);
    if (!NAME.matcher(value).matches()) {
      throw new StateApiException(
          400, "bad_request", param + " must be 1-256 characters of A-Z a-z 0-9 _ . : @ -");
    }
    return value;
  }

  private static int limit(Context ctx) {
    String raw = ctx.queryParam("limit");
    if (raw == null) {
      return 1000;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= 100_000) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new StateApiException(
        400, "bad_request", "limit must be a whole number from 1 to 100000, was '" + raw + "'");
  }

  private static Optional<Duration> ttl(JsonNode ttl) {
    if (ttl == null || ttl.isNull()) {
      return Optional.empty();
    }
    if (ttl.isIntegralNumber() && ttl.asLong() > 0) {
      return Optional.of(Duration.ofSeconds(ttl.asLong()));
    }
    var m = DURATION.matcher(ttl.asText());
    if (!ttl.isTextual() || !m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new StateApiException(
          400,
          "bad_request",
          "ttl must be positive seconds or a string like \"250ms\", \"30s\", \"5m\", \"1h\"");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return Optional.of(
        switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofSeconds(n);
        });
  }

  private static JsonNode body(Context ctx, ObjectMapper mapper) {
    try {
      JsonNode node = mapper.readTree(ctx.body());
      if (node == null || !node.isObject()) {
        throw new StateApiException(400, "bad_request", "request body must be a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new StateApiException(400, "bad_request", "malformed JSON: " + e.getOriginalMessage());
    }
  }
}
