package io.flywall.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code flywall state import [--batch N] FILE|-}: NDJSON lines {@code {"bucket", "key", "value",
 * "ttl"}} written through {@code POST /api/state}, N lines per request, each request all or
 * nothing. A bad line stops the import before its batch is sent and is reported with its number,
 * together with how many lines before it were written.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Write entries from NDJSON (one {\\\"bucket\\\", \\\"key\\\", \\\"value\\\", \\\"ttl\\\"} object per"
          + " line) to the primary, in batches that are each written all or nothing.",
      "A bad line stops the import before its batch; the lines before that batch are written"
          + " (the error says how many). Exit 0 all written, 1 the daemon refused or is"
          + " unreachable, 2 a bad line."
    })
final class StateImport extends HaCommand.ClientCommand {
  /** The API's limits: ops per request and body bytes (a little under, for the envelope). */
  static final int MAX_BATCH = 10_000;

  private static final int MAX_BODY = 8 * 1024 * 1024 - 1024;
  private static final int BAD_INPUT = 2;
  private static final Set<String> FIELDS = Set.of("bucket", "key", "value", "ttl");
  private static final Pattern OP_INDEX = Pattern.compile("^ops\\[(\\d+)\\]");

  /** Built on first use: picocli creates this command for any command line, `run` too. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Parameters(index = "0", paramLabel = "FILE|-", description = "NDJSON file, or - for stdin")
  String file;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Lines per request, 1 to " + MAX_BATCH + " (default ${DEFAULT-VALUE})")
  int batch;

  private int written;
  private int linesWritten;
  // The first line of the batch not yet written: where to resume after an error.
  private int pendingFrom = 1;
  private int requests;
  private long position;
  private boolean allReplicated = true;

  @Override
  public Integer call() {
    if (batch < 1 || batch > MAX_BATCH) {
      throw new UserError("--batch must be from 1 to " + MAX_BATCH + ", got " + batch, BAD_INPUT);
    }
    try (BufferedReader in = open()) {
      List<Integer> lines = new ArrayList<>();
      ArrayNode ops = Json.MAPPER.createArrayNode();
      long bytes = 0;
      int number = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) {
          // A byte order mark, as some editors on other systems save UTF-8: not part of the JSON.
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        ObjectNode op = op(number, line);
        // Bytes as sent (UTF-8), not characters: a value in another script is up to 3 bytes a
        // character, and a batch cut by characters went over the daemon's 8 MiB.
        int size = Json.MAPPER.writeValueAsBytes(op).length + 1;
        if (!lines.isEmpty() && (lines.size() == batch || bytes + size > MAX_BODY)) {
          send(ops, lines);
          ops = Json.MAPPER.createArrayNode();
          lines = new ArrayList<>();
          bytes = 0;
        }
        if (size > MAX_BODY) {
          throw badLine(number, "larger than a request may be (8 MiB)");
        }
        if (lines.isEmpty()) {
          pendingFrom = number;
        }
        ops.add(op);
        lines.add(number);
        bytes += size;
      }
      if (!lines.isEmpty()) {
        send(ops, lines);
      }
    } catch (IOException e) {
      throw new UserError("cannot read " + file + ": " + e.getMessage(), BAD_INPUT);
    }
    ObjectNode summary = Json.MAPPER.createObjectNode();
    summary.put("count", written);
    summary.put("lines", linesWritten);
    summary.put("requests", requests);
    summary.put("position", position);
    summary.put("replicated", allReplicated);
    return print(
        summary,
        String.format(
            "imported %d lines (%d changes) in %d requests, log position %d%s%n",
            linesWritten,
            written,
            requests,
            position,
            allReplicated
                ? ""
                : " (sync_mode: not every batch was acknowledged by a replica in time)"));
  }

  private BufferedReader open() throws IOException {
    if (file.equals("-")) {
      return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    }
    try {
      return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserError("no such file: " + file, BAD_INPUT);
    }
  }

  /** One line as a put op; the daemon checks names, ttl and sizes. */
  private ObjectNode op(int number, String line) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw badLine(number, "not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw badLine(number, "must be an object {\"bucket\", \"key\", \"value\", \"ttl\"}");
    }
    for (var names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw badLine(number, "unknown field \"" + name + "\" (bucket, key, value, ttl)");
      }
    }
    for (String name : List.of("bucket", "key")) {
      if (!node.path(name).isTextual()) {
        throw badLine(number, "\"" + name + "\" must be a string");
      }
    }
    if (node.get("value") == null || node.get("value").isNull()) {
      throw badLine(number, "\"value\" is required");
    }
    ObjectNode op = Json.MAPPER.createObjectNode();
    op.put("op", "put");
    op.setAll((ObjectNode) node);
    return op;
  }

  private void send(ArrayNode ops, List<Integer> lines) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("ops", ops);
    JsonNode answer;
    try {
      answer = options.client().post("/api/state", body);
    } catch (ApiClient.Refused e) {
      Matcher index = OP_INDEX.matcher(e.error());
      if (e.status() == 400 && index.find()) {
        int i = Integer.parseInt(index.group(1));
        if (i < lines.size()) {
          throw badLine(lines.get(i), e.error().substring(index.end()).replaceFirst("^[: ]+", ""));
        }
      }
      throw new UserError(e.getMessage() + progress(), e.exitCode());
    }
    written += answer.path("count").asInt();
    linesWritten += lines.size();
    pendingFrom = lines.get(lines.size() - 1) + 1;
    requests++;
    position = answer.path("position").asLong();
    allReplicated &= answer.path("replicated").asBoolean(true);
  }

  private UserError badLine(int number, String why) {
    return new UserError(file + " line " + number + ": " + why + progress(), BAD_INPUT);
  }

  /** What was written before the batch that failed, and where to resume. */
  private String progress() {
    return linesWritten == 0
        ? "; nothing was written"
        : "; lines before line "
            + pendingFrom
            + " were written ("
            + linesWritten
            + " lines), nothing from line "
            + pendingFrom
            + " on";
  }
}
