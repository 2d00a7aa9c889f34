package io.flywall.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchBody} reads a batch in one streaming pass; it must accept and refuse exactly what
 * reading the body as a tree did, with the same messages and the same stored bytes. The oracle
 * below is the tree-based reading the route used before.
 */
class BatchBodyTest {
  private final ObjectMapper mapper = ApiServer.mapper();

  @Test
  void storesEveryKindOfValueAsTheTreePrintedIt() {
    List<String> values =
        List.of(
            "\"text\"",
            "\"caf\\u00e9 \\ud83d\\ude00 \\n\\t \\\" \\\\ \\u0001\"",
            "1",
            "-0",
            "1.10",
            "1e2",
            "-2.5E-3",
            "1e400",
            "123456789012345678901234567890",
            "9223372036854775807",
            "true",
            "false",
            "[]",
            "{}",
            "[1, [2, [3, {\"a\": [ ]}]], \"x\"]",
            "{\"ip\": \"10.0.0.5\", \"mac\": \"02:00:00:aa:bb:cc\", \"expires\": 86400}",
            "{\"a\": 1, \"b\": {\"c\": null, \"d\": [true, 0.5]}}",
            // A repeated key: the tree kept the last value at the first one's place.
            "{\"a\": 1, \"b\": 2, \"a\": 3}",
            "{\"x\": {\"a\": 1, \"a\": {\"a\": 2, \"a\": 3}}, \"y\": [{\"k\": 1, \"k\": 2}]}",
            // A lone surrogate: the tree printed it and UTF-8 made it '?'.
            "{\"s\": \"\\ud800\"}",
            "[\"\\udc00x\"]",
            "\"\\ud800\"",
            // Compact, as a program's JSON writer sends it: taken as it stands in the body.
            "{\"ip\":\"10.0.0.5\",\"mac\":\"02:00:00:aa:bb:cc\",\"expires\":86400}",
            "[1,-2,[],{},\"café\",true,null,{\"a\":[false]}]",
            "123456789012345678901234567890",
            // Compact but printed otherwise: an escape, a fraction, -0, a space in a string.
            "{\"a\":\"x\\/y\"}",
            "{\"a\":\"\\u0041\"}",
            "[1.0]",
            "[1e2]",
            "[-0]",
            "{\"a\":\"x y\",\"b\":[1, 2]}",
            "{\"a\":1,\"b\":2,\"a\":3}",
            "[\"\ud800\"]");
    for (String value : values) {
      String body =
          ops(
              "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k1\", \"value\": " + value + "}",
              "{\"value\": " + value + ", \"key\": \"k2\", \"op\": \"put\", \"bucket\": \"b\"}");
      assertSameAsTree(body);
      List<StateService.Op> ops = BatchBody.read(body, mapper);
      assertThat(ops).hasSize(2);
      assertThat(new String(ops.get(1).value(), StandardCharsets.UTF_8))
          .as(value)
          .isEqualTo(new String(ops.get(0).value(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void refusesEveryBadBodyWithTheMessageTheTreeGave() {
    String good = "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"good\", \"value\": 1}";
    List<String> bodies =
        List.of(
            "",
            "   ",
            "[]",
            "[1",
            "1",
            "null",
            "{",
            "{\"ops\": [",
            "{\"ops\": [" + good + ",]}",
            "{\"ops\": [" + good + "]",
            "{\"ops\": []}",
            "{\"ops\": {}}",
            "{\"ops\": null}",
            "{\"ops\": \"x\"}",
            "{\"other\": 1}",
            "{\"ops\": [" + good + "], \"ops\": [1]}",
            "{\"ops\": [" + good + "], \"ops\": []}",
            ops(good, "1"),
            ops(good, "[1, 2]"),
            ops(good, "null"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\"}"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": null}"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b b\", \"key\": \"k\", \"value\": 1}"),
            ops(good, "{\"op\": \"put\", \"bucket\": 5, \"key\": \"k\", \"value\": 1}"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b\", \"key\": [\"k\"], \"value\": 1}"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b\", \"value\": 1}"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"" + "b".repeat(257) + "\", \"key\": \"k\"}"),
            ops(good, "{\"op\": \"upsert\", \"bucket\": \"b\", \"key\": \"k\"}"),
            ops(good, "{\"op\": 1, \"bucket\": \"b\", \"key\": \"k\"}"),
            ops(good, "{\"op\": null, \"bucket\": \"b\", \"key\": \"k\"}"),
            ops(good, "{\"bucket\": \"b\", \"key\": \"k\"}"),
            ops(good, "{\"value\": 1, \"tll\": 5, \"zz\": {}, \"op\": \"put\"}"),
            ops(good, "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\", \"value\": 1}"),
            ops(good, "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\", \"value\": null}"),
            ops(good, "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\", \"ttl\": null}"),
            ops(good, "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\", \"ttl\": \"1s\"}"),
            ops(good, put("\"9223372036854775807ms\"")),
            ops(good, put("\"0s\"")),
            ops(good, put("0")),
            ops(good, put("-5")),
            ops(good, put("1.5")),
            ops(good, put("true")),
            ops(good, put("{\"s\": 1}")),
            ops(good, put("[30]")),
            ops(good, put("\"30 s\"")),
            ops(good, put("\"3653d\"")),
            ops(good, put("315619201")),
            ops(good, put("99999999999999999999999")),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": [1,}"),
            ops(good, "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": {\"a\" 1}}"),
            ops("1", "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": tru}"));
    for (String body : bodies) {
      assertSameAsTree(body);
      assertThat(outcome(() -> BatchBody.read(body, mapper))).as(body).startsWith("400 ");
    }
  }

  @Test
  void acceptsWhatTheTreeAcceptedWithTheSameOps() {
    List<String> bodies =
        List.of(
            ops(put("\"250ms\""), put("30"), put("\"5m\""), put("\"1h\""), put("null")),
            ops(put("315619200"), put("\"3653h\"")),
            ops("{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"a.b:c@d-e_F9\"}"),
            "{\"before\": {\"ops\": 1}, \"ops\": [" + put("\"1s\"") + "], \"after\": [\"ops\"]}",
            "{\"ops\": [1], \"ops\": [" + put("\"1s\"") + "]}",
            "{\"ops\": [" + put("1") + "], \"other\": [1, {\"x\": 2}]}",
            // What follows the body's object was never read.
            "{\"ops\": [" + put("1") + "]} trailing",
            ops(
                "{\"op\": \"put\", \"op\": \"delete\", \"bucket\": \"x\", \"bucket\": \"b\","
                    + " \"key\": \"k\"}"),
            ops(
                "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": null,"
                    + " \"value\": {\"v\": 2}}"));
    for (String body : bodies) {
      assertSameAsTree(body);
      assertThat(outcome(() -> BatchBody.read(body, mapper))).as(body).doesNotStartWith("400 ");
    }
  }

  @Test
  void countsOpsPastTheLimitAndReportsTheLimitBeforeABadOp() {
    String bad = "{\"op\": \"nope\"}";
    String good = "{\"op\": \"delete\", \"bucket\": \"b\", \"key\": \"k\"}";
    String[] many = new String[StateRoutes.MAX_BATCH_OPS + 1];
    java.util.Arrays.fill(many, good);
    many[0] = bad;
    assertSameAsTree(ops(many));
    assertThat(outcome(() -> BatchBody.read(ops(many), mapper))).contains("at most 10000");
    String[] limit = java.util.Arrays.copyOfRange(many, 1, many.length);
    assertThat(BatchBody.read(ops(limit), mapper)).hasSize(StateRoutes.MAX_BATCH_OPS);
  }

  @Test
  void agreesWithTheTreeOnRandomBatches() {
    Random random = new Random(12);
    for (int round = 0; round < 2000; round++) {
      int n = 1 + random.nextInt(4);
      String[] ops = new String[n];
      for (int i = 0; i < n; i++) {
        ops[i] = randomOp(random);
      }
      // Half of them compact, as a program's JSON writer sends them (values taken as they stand).
      String body = ops(ops);
      assertSameAsTree(random.nextBoolean() ? body : body.replace(" ", ""));
    }
  }

  private static String put(String ttl) {
    return "{\"op\": \"put\", \"bucket\": \"b\", \"key\": \"k\", \"value\": 1, \"ttl\": "
        + ttl
        + "}";
  }

  private static String ops(String... ops) {
    return "{\"ops\": [" + String.join(", ", ops) + "]}";
  }

  private static String randomOp(Random random) {
    List<String> fields = new ArrayList<>();
    String[] kinds = {"\"put\"", "\"delete\"", "\"x\"", "1"};
    if (random.nextInt(10) > 0) {
      fields.add("\"op\": " + kinds[random.nextInt(random.nextInt(10) == 0 ? 4 : 2)]);
    }
    if (random.nextInt(20) > 0) {
      fields.add("\"bucket\": " + (random.nextInt(30) == 0 ? "\"a b\"" : "\"b\""));
    }
    if (random.nextInt(20) > 0) {
      fields.add("\"key\": \"k" + random.nextInt(5) + "\"");
    }
    if (random.nextInt(3) > 0) {
      fields.add("\"value\": " + randomValue(random, 3));
    }
    if (random.nextInt(4) == 0) {
      String[] ttls = {"\"30s\"", "10", "\"1h\"", "null", "\"x\"", "0", "1.5", "[]"};
      fields.add("\"ttl\": " + ttls[random.nextInt(ttls.length)]);
    }
    if (random.nextInt(40) == 0) {
      fields.add("\"extra\": 1");
    }
    java.util.Collections.shuffle(fields, random);
    return "{" + String.join(", ", fields) + "}";
  }

  private static String randomValue(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 10 : 6);
    return switch (kind) {
      case 0 -> "\"s" + random.nextInt(100) + "\"";
      case 1 -> Integer.toString(random.nextInt() / (1 + random.nextInt(1000)));
      case 2 ->
          random.nextInt(100) + "." + random.nextInt(100) + (random.nextBoolean() ? "e3" : "");
      case 3 -> random.nextBoolean() ? "true" : "false";
      case 4 -> "null";
      case 5 -> "\"\\u00e9\\n\\ud83d\\ude00\"";
      case 6, 7, 8 -> {
        List<String> fields = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          // Few names, so some repeat.
          fields.add("\"f" + random.nextInt(3) + "\": " + randomValue(random, depth - 1));
        }
        yield "{" + String.join(",", fields) + "}";
      }
      default -> {
        List<String> items = new ArrayList<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
          items.add(randomValue(random, depth - 1));
        }
        yield "[" + String.join(", ", items) + "]";
      }
    };
  }

  private void assertSameAsTree(String body) {
    assertThat(outcome(() -> BatchBody.read(body, mapper)))
        .as(body)
        .isEqualTo(outcome(() -> TreeReading.read(body, mapper)));
  }

  private interface Reading {
    List<StateService.Op> read();
  }

  /** What a reading gave, as text: the ops, or the status and message of its refusal. */
  private static String outcome(Reading reading) {
    try {
      StringBuilder s = new StringBuilder();
      for (StateService.Op op : reading.read()) {
        s.append(op.kind())
            .append(' ')
            .append(op.bucket())
            .append('/')
            .append(op.key())
            .append(' ')
            .append(op.value() == null ? "-" : new String(op.value(), StandardCharsets.UTF_8))
            .append(' ')
            .append(op.ttl())
            .append('\n');
      }
      return s.toString();
    } catch (StateApiException e) {
      return e.status() + " " + e.getMessage();
    }
  }

  /** How the route read a batch before {@link BatchBody}: the whole body as a tree. */
  private static final class TreeReading {
    static List<StateService.Op> read(String text, ObjectMapper mapper) {
      JsonNode body;
      try {
        body = mapper.readTree(text);
      } catch (JsonProcessingException e) {
        throw new StateApiException(
            400, "bad_request", "malformed JSON: " + e.getOriginalMessage());
      }
      if (body == null || !body.isObject()) {
        throw new StateApiException(400, "bad_request", "request body must be a JSON object");
      }
      JsonNode ops = body.get("ops");
      if (ops == null || !ops.isArray() || ops.isEmpty()) {
        throw new StateApiException(
            400,
            "bad_request",
            "body must be {\"ops\": [{\"op\": \"put\", \"bucket\": ..., \"key\": ..., \"value\":"
                + " ..., \"ttl\": \"30s\"}, {\"op\": \"delete\", \"bucket\": ..., \"key\": ...}]}"
                + " with 1 to "
                + StateRoutes.MAX_BATCH_OPS
                + " ops");
      }
      if (ops.size() > StateRoutes.MAX_BATCH_OPS) {
        throw new StateApiException(
            400,
            "bad_request",
            "a batch has at most "
                + StateRoutes.MAX_BATCH_OPS
                + " ops, this one "
                + ops.size()
                + "; split it");
      }
      List<StateService.Op> parsed = new ArrayList<>(ops.size());
      for (int i = 0; i < ops.size(); i++) {
        parsed.add(op(i, ops.get(i)));
      }
      return parsed;
    }

    private static StateService.Op op(int index, JsonNode node) {
      String where = "ops[" + index + "]";
      if (!node.isObject()) {
        throw StateRoutes.bad(where + " must be an object");
      }
      var fields = node.fieldNames();
      while (fields.hasNext()) {
        String field = fields.next();
        if (!List.of("op", "bucket", "key", "value", "ttl").contains(field)) {
          throw StateRoutes.bad(
              where + " has an unknown field '" + field + "' (op, bucket, key, value, ttl)");
        }
      }
      String op = node.path("op").asText("");
      String bucket = opName(where, node, "bucket");
      String key = opName(where, node, "key");
      JsonNode value = node.get("value");
      JsonNode ttlNode = node.get("ttl");
      switch (op) {
        case "put" -> {
          if (value == null || value.isNull()) {
            throw StateRoutes.bad(where + " (put " + bucket + "/" + key + ") needs a value");
          }
          Optional<Duration> ttl =
              StateRoutes.ttl(ttlNode, where + " (put " + bucket + "/" + key + "): ");
          byte[] bytes =
              (value.isTextual() ? value.asText() : value.toString())
                  .getBytes(StandardCharsets.UTF_8);
          return new StateService.Op(StateService.Op.Kind.PUT, bucket, key, bytes, ttl);
        }
        case "delete" -> {
          if (value != null || ttlNode != null) {
            throw StateRoutes.bad(
                where + " (delete " + bucket + "/" + key + ") takes no value and no ttl");
          }
          return new StateService.Op(
              StateService.Op.Kind.DELETE, bucket, key, null, Optional.empty());
        }
        default -> throw StateRoutes.bad(where + " needs \"op\": \"put\" or \"delete\"");
      }
    }

    private static String opName(String where, JsonNode node, String field) {
      JsonNode name = node.get(field);
      if (name == null || !name.isTextual() || !StateRoutes.validName(name.asText())) {
        throw StateRoutes.bad(
            where + ": " + field + " must be 1-256 characters of A-Z a-z 0-9 _ . : @ -");
      }
      return name.asText();
    }
  }
}
