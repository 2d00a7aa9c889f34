package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flywall state get|put|delete|list|import}: the replicated key-value store. Writes go to
 * the primary.
 */
@Command(
    name = "state",
    mixinStandardHelpOptions = true,
    description =
        "Read and write the replicated state store (writes are accepted on the primary only).",
    subcommands = {
      StateCommand.Get.class,
      StateCommand.Put.class,
      StateCommand.Delete.class,
      StateCommand.List.class,
      StateImport.class
    })
final class StateCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand; see 'flywall state --help'.");
  }

  static String path(String bucket, String key) {
    return "/api/state/" + encode(bucket) + (key == null ? "" : "/" + encode(key));
  }

  private static String encode(String part) {
    return URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static Table entries(Iterable<JsonNode> entries) {
    Table table = new Table("BUCKET", "KEY", "VALUE", "VERSION", "ORIGIN", "UPDATED", "EXPIRES");
    for (JsonNode e : entries) {
      table.row(
          e.path("bucket").asText(),
          e.path("key").asText(),
          e.path("value").asText(),
          e.path("version").asLong(),
          e.path("origin").asText(),
          e.path("updated_at").asText(),
          e.path("expires_at").isNull() ? null : e.path("expires_at").asText());
    }
    return table;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one entry.")
  static final class Get extends HaCommand.ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET", description = "The bucket, e.g. dns_records.")
    String bucket;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key within the bucket.")
    String key;

    @Override
    public Integer call() {
      JsonNode e = options.client().get(path(bucket, key));
      return print(e, entries(java.util.List.of(e)).render());
    }
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = "Write an entry (on the primary).",
      footerHeading = "%nExample:%n",
      footer = {"  flywall state put dns_records host1.lan 192.168.1.10 --ttl 1h"})
  static final class Put extends HaCommand.ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET", description = "The bucket, e.g. dns_records.")
    String bucket;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key within the bucket.")
    String key;

    @Parameters(index = "2", paramLabel = "VALUE", description = "The value, as text.")
    String value;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        description = "Expire the entry everywhere after this long, e.g. 30s or 5m.")
    String ttl;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("value", value);
      if (ttl != null) {
        body.put("ttl", ttl);
      }
      JsonNode r = options.client().put(path(bucket, key), body);
      String note = r.path("note").isTextual() ? " (" + r.path("note").asText() + ")" : "";
      return print(
          r,
          String.format(
              "%s/%s version %d at position %d%s%n",
              bucket, key, r.path("version").asLong(), r.path("position").asLong(), note));
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete an entry (on the primary).")
  static final class Delete extends HaCommand.ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET", description = "The bucket, e.g. dns_records.")
    String bucket;

    @Parameters(index = "1", paramLabel = "KEY", description = "The key within the bucket.")
    String key;

    @Override
    public Integer call() {
      JsonNode r = options.client().delete(path(bucket, key));
      return print(
          r,
          String.format(
              "deleted %s/%s at position %d%n", bucket, key, r.path("position").asLong()));
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List the entries of a bucket, in key order.")
  static final class List extends HaCommand.ClientCommand {
    @Parameters(index = "0", paramLabel = "BUCKET", description = "The bucket, e.g. dns_records.")
    String bucket;

    @Option(
        names = {"-n", "--limit"},
        paramLabel = "N",
        defaultValue = "1000",
        description = "List at most N entries (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      JsonNode r = options.client().get(path(bucket, null) + "?limit=" + limit);
      return print(r, entries(r.path("entries")).render());
    }
  }
}
