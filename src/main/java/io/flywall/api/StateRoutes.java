package io.flywall.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.api.ApiModel.CommandOutcome;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The replication and state routes of DESIGN sections 8 and 10.3. A PUT body is {@code {"value":
 * ..., "ttl": "30s"}}: a JSON string is stored as its text, any other JSON value as its JSON text.
 * A batch ({@code POST /api/state}) is {@code {"ops": [{"op": "put", "bucket": B, "key": K,
 * "value": V, "ttl": "30s"}, {"op": "delete", "bucket": B, "key": K}, ...]}}, written all or
 * nothing.
 */
final class StateRoutes {
  static final String BATCH_PATH = "/api/state";

  /** Operations in one batch at most. */
  static final int MAX_BATCH_OPS = 10_000;

  /** The longest ttl: ten years (the store refuses longer ones too). */
  static final Duration MAX_TTL = Duration.ofDays(3653);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");
  private static final String TTL_RULE =
      "ttl must be positive seconds or a string like \"250ms\", \"30s\", \"5m\", \"1h\","
          + " at most 10 years";

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
          ctx.json(
              state.put(
                  name(ctx, "bucket"), name(ctx, "key"), bytes(value), ttl(body.get("ttl"), "")));
        });
    routes.post(
        BATCH_PATH,
        ctx -> {
          List<StateService.Op> parsed = BatchBody.read(batchBody(ctx), mapper);
          ctx.json(state.write(parsed));
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
    if (!validName(value)) {
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

  /**
   * 1-256 characters of A-Z a-z 0-9 _ . : @ -; checked by hand: as a regex, checking the bucket and
   * key of a batched op took about 5% of the primary's CPU per change.
   */
  static boolean validName(String name) {
    int n = name.length();
    if (n < 1 || n > 256) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == ':'
              || c == '@'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static StateApiException bad(String message) {
    return new StateApiException(400, "bad_request", message);
  }

  /** A JSON string is stored as its text, any other JSON value as its JSON text. */
  private static byte[] bytes(JsonNode value) {
    return (value.isTextual() ? value.asText() : value.toString()).getBytes(StandardCharsets.UTF_8);
  }

  /** The ttl given, empty when none; a 400 (prefixed with {@code where}) when it is not valid. */
  static Optional<Duration> ttl(JsonNode ttl, String where) {
    if (ttl == null || ttl.isNull()) {
      return Optional.empty();
    }
    Duration d;
    if (ttl.isIntegralNumber()) {
      if (!ttl.canConvertToLong() || ttl.asLong() <= 0 || ttl.asLong() > MAX_TTL.getSeconds()) {
        throw bad(where + TTL_RULE);
      }
      d = Duration.ofSeconds(ttl.asLong());
    } else {
      var m = DURATION.matcher(ttl.isTextual() ? ttl.asText() : "");
      if (!m.matches()) {
        throw bad(where + TTL_RULE);
      }
      // At most 12 digits: no unit makes that overflow a Duration.
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      d =
          switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
          };
    }
    if (d.isZero() || d.compareTo(MAX_TTL) > 0) {
      throw bad(where + TTL_RULE);
    }
    return Optional.of(d);
  }

  /** A batch body, read with its limit enforced even when it comes without a length. */
  private static String batchBody(Context ctx) {
    byte[] bytes;
    // Not closed here: the server owns the stream, and a refusal (413) reads on to drop the rest.
    try {
      bytes = ctx.bodyInputStream().readNBytes(ApiServer.MAX_BATCH_BODY_BYTES + 1);
    } catch (java.io.IOException e) {
      throw bad("cannot read the request body: " + e.getMessage());
    }
    if (bytes.length > ApiServer.MAX_BATCH_BODY_BYTES) {
      throw new StateApiException(
          413, "payload_too_large", ApiServer.tooLarge(ApiServer.MAX_BATCH_BODY_BYTES));
    }
    // Decoded as text first, as before the streaming parser: bytes that are not UTF-8 become
    // U+FFFD, as they always did, rather than a parse error.
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonNode body(Context ctx, ObjectMapper mapper) {
    return parse(ApiServer.smallBody(ctx), mapper);
  }

  private static JsonNode parse(String text, ObjectMapper mapper) {
    try {
      JsonNode node = mapper.readTree(text);
      if (node == null || !node.isObject()) {
        throw new StateApiException(400, "bad_request", "request body must be a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new StateApiException(400, "bad_request", "malformed JSON: " + e.getOriginalMessage());
    }
  }
}
