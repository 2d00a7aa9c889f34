package io.flywall.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /api/state} read in one pass of Jackson's streaming parser straight into
 * ops: no tree of the whole batch, no map per op, and each value's JSON text written once into a
 * buffer the batch reuses. Reading the body as a tree and serializing each value back took about a
 * fifth of the primary's CPU per change. It accepts and refuses exactly what the tree did, with the
 * same messages ({@code BatchBodyTest} compares the two on many bodies): a value is stored as the
 * tree would print it (compact, numbers as the tree holds them), and a value the tree would change
 * (an object with a repeated key: the tree keeps the last) is read as a tree, alone.
 */
final class BatchBody {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String text;
  private final ObjectMapper mapper;
  private final JsonParser p;
  private final CharArrayWriter buffer = new CharArrayWriter(256);
  private final JsonGenerator out;
  // The keys of each object open around the parser in a value: a repeated one makes the tree
  // differ.
  private final ArrayDeque<Set<String>> keys = new ArrayDeque<>();

  // The ops array read last ("ops" given twice: the last one counts, as in a tree).
  private boolean opsIsArray;
  private int count;
  private List<StateService.Op> ops = new ArrayList<>();
  private StateApiException firstBadOp;

  private BatchBody(String text, ObjectMapper mapper, JsonParser p) throws IOException {
    this.text = text;
    this.mapper = mapper;
    this.p = p;
    this.out = generator();
  }

  /**
   * The ops of a batch body; a {@link StateApiException} (400) for malformed JSON, a body that is
   * not {@code {"ops": [...]}} with 1 to {@link StateRoutes#MAX_BATCH_OPS} ops, or a bad op (named
   * by its index). Malformed JSON anywhere wins over a bad op, as when the whole body was parsed
   * first.
   */
  static List<StateService.Op> read(String text, ObjectMapper mapper) {
    try (JsonParser p = mapper.getFactory().createParser(text)) {
      return new BatchBody(text, mapper, p).root();
    } catch (JsonProcessingException e) {
      throw new StateApiException(400, "bad_request", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("reading a string cannot fail", e);
    }
  }

  private List<StateService.Op> root() throws IOException {
    JsonToken first = p.nextToken();
    if (first != JsonToken.START_OBJECT) {
      // The whole value is read first: malformed JSON is reported as such.
      p.skipChildren();
      throw new StateApiException(400, "bad_request", "request body must be a JSON object");
    }
    boolean sawOps = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals("ops")) {
        sawOps = true;
        opsArray(value);
      } else {
        p.skipChildren();
      }
    }
    if (!sawOps || !opsIsArray || count == 0) {
      throw new StateApiException(
          400,
          "bad_request",
          "body must be {\"ops\": [{\"op\": \"put\", \"bucket\": ..., \"key\": ..., \"value\":"
              + " ..., \"ttl\": \"30s\"}, {\"op\": \"delete\", \"bucket\": ..., \"key\": ...}]}"
              + " with 1 to "
              + StateRoutes.MAX_BATCH_OPS
              + " ops");
    }
    if (count > StateRoutes.MAX_BATCH_OPS) {
      throw new StateApiException(
          400,
          "bad_request",
          "a batch has at most "
              + StateRoutes.MAX_BATCH_OPS
              + " ops, this one "
              + count
              + "; split it");
    }
    if (firstBadOp != null) {
      throw firstBadOp;
    }
    return ops;
  }

  private void opsArray(JsonToken start) throws IOException {
    opsIsArray = start == JsonToken.START_ARRAY;
    count = 0;
    ops = new ArrayList<>();
    firstBadOp = null;
    if (!opsIsArray) {
      p.skipChildren();
      return;
    }
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      int index = count++;
      if (firstBadOp != null || index >= StateRoutes.MAX_BATCH_OPS) {
        // Only counted: the batch is refused whatever the rest holds.
        p.skipChildren();
        continue;
      }
      try {
        ops.add(op(index, t));
      } catch (StateApiException e) {
        firstBadOp = e;
      }
    }
  }

  /** One op, the parser at its first token; a 400 naming its index when it is not valid. */
  private StateService.Op op(int index, JsonToken start) throws IOException {
    if (start != JsonToken.START_OBJECT) {
      p.skipChildren();
      throw StateRoutes.bad(where(index) + " must be an object");
    }
    String unknown = null;
    String op = "";
    String bucket = null;
    String key = null;
    boolean hasValue = false;
    byte[] value = null;
    JsonNode ttl = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "op" -> op = text(t, "");
        case "bucket" -> bucket = text(t, null);
        case "key" -> key = text(t, null);
        case "value" -> {
          hasValue = true;
          value = t == JsonToken.VALUE_NULL ? null : value(t);
        }
        case "ttl" -> ttl = ttlNode(t);
        default -> {
          if (unknown == null) {
            unknown = field;
          }
          p.skipChildren();
        }
      }
    }
    if (unknown != null) {
      throw StateRoutes.bad(
          where(index) + " has an unknown field '" + unknown + "' (op, bucket, key, value, ttl)");
    }
    requireName(index, "bucket", bucket);
    requireName(index, "key", key);
    switch (op) {
      case "put" -> {
        if (value == null) {
          throw StateRoutes.bad(where(index) + " (put " + bucket + "/" + key + ") needs a value");
        }
        Optional<Duration> d =
            ttl == null
                ? Optional.empty()
                : StateRoutes.ttl(ttl, where(index) + " (put " + bucket + "/" + key + "): ");
        return new StateService.Op(StateService.Op.Kind.PUT, bucket, key, value, d);
      }
      case "delete" -> {
        if (hasValue || ttl != null) {
          throw StateRoutes.bad(
              where(index) + " (delete " + bucket + "/" + key + ") takes no value and no ttl");
        }
        return new StateService.Op(
            StateService.Op.Kind.DELETE, bucket, key, null, Optional.empty());
      }
      default -> throw StateRoutes.bad(where(index) + " needs \"op\": \"put\" or \"delete\"");
    }
  }

  /** How an error names an op; built only for an error. */
  private static String where(int index) {
    return "ops[" + index + "]";
  }

  private static void requireName(int index, String field, String name) {
    if (name == null || !StateRoutes.validName(name)) {
      throw StateRoutes.bad(
          where(index) + ": " + field + " must be 1-256 characters of A-Z a-z 0-9 _ . : @ -");
    }
  }

  /** A string field's text; {@code otherwise} for any other JSON value (which is skipped). */
  private String text(JsonToken t, String otherwise) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    p.skipChildren();
    return otherwise;
  }

  /**
   * The ttl as the tree held it, for {@link StateRoutes#ttl}: only integers, strings and null can
   * be valid, so any other value stands as a node that is neither.
   */
  private JsonNode ttlNode(JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NULL -> NODES.nullNode();
      case VALUE_STRING -> NODES.textNode(p.getText());
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> NODES.numberNode(p.getIntValue());
            case LONG -> NODES.numberNode(p.getLongValue());
            default -> NODES.numberNode(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
      default -> {
        p.skipChildren();
        yield NODES.objectNode();
      }
    };
  }

  /**
   * A value's bytes: a string's text, any other value's JSON text as the tree would print it. The
   * parser is at the value's first token and ends at its last. A value already written as the tree
   * prints it (what a program's JSON writer sends: no spaces, no escapes, no fractions) is taken as
   * it stands in the body; printing it again cost about 8% of the primary's CPU per change.
   */
  private byte[] value(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_STRING) {
      return p.getText().getBytes(StandardCharsets.UTF_8);
    }
    int start = (int) p.currentTokenLocation().getCharOffset();
    boolean exact = true;
    // Numbers the tree would print differently: any fraction or exponent, and -0.
    boolean numbersAsPrinted = true;
    int depth = 0;
    keys.clear();
    while (true) {
      JsonToken token = p.currentToken();
      switch (token) {
        case START_OBJECT -> {
          depth++;
          keys.push(new HashSet<>());
        }
        case START_ARRAY -> depth++;
        case END_OBJECT -> {
          depth--;
          keys.pop();
        }
        case END_ARRAY -> depth--;
        case FIELD_NAME -> exact &= keys.peek().add(p.currentName());
        case VALUE_NUMBER_FLOAT -> numbersAsPrinted = false;
        case VALUE_NUMBER_INT -> numbersAsPrinted &= !p.getText().equals("-0");
        default -> {
          // Strings, booleans and null are checked with the text below.
        }
      }
      if (depth == 0) {
        break;
      }
      p.nextToken();
    }
    int end = (int) p.currentLocation().getCharOffset();
    if (!exact) {
      return mapper
          .readTree(text.substring(start, end))
          .toString()
          .getBytes(StandardCharsets.UTF_8);
    }
    if (numbersAsPrinted && printedAsIs(start, end)) {
      return text.substring(start, end).getBytes(StandardCharsets.UTF_8);
    }
    try (JsonParser value = mapper.getFactory().createParser(text.substring(start, end))) {
      value.nextToken();
      out.copyCurrentStructure(value);
    }
    out.flush();
    // Through a String, as the tree printed it: a lone surrogate becomes '?' as it always did.
    byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
    buffer.reset();
    return bytes;
  }

  /**
   * Whether the tree's printer would write {@code text[start, end)}, a valid JSON value whose
   * numbers it prints as they are, with the same characters: no whitespace between tokens and no
   * escape in a string (the printer escapes only what JSON requires, and differently from some
   * writers, e.g. {@code \/} or {@code \u00e9}).
   */
  private boolean printedAsIs(int start, int end) {
    boolean inString = false;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        return false;
      }
      if (c == '"') {
        inString = !inString;
      } else if (!inString && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
        return false;
      }
    }
    return true;
  }

  /**
   * A generator into the reused buffer, writing values one after another with nothing between; a
   * character one like the tree's printer (the UTF-8 one escapes surrogate pairs).
   */
  private JsonGenerator generator() throws IOException {
    buffer.reset();
    JsonGenerator g = mapper.getFactory().createGenerator(buffer);
    g.setRootValueSeparator(null);
    return g;
  }
}
