package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code flywall replication status|stats|resync}: the state stream of the local node. */
@Command(
    name = "replication",
    mixinStandardHelpOptions = true,
    description = "See the replicated state stream of the local node, or resync a replica.",
    subcommands = {
      ReplicationCommand.Status.class,
      ReplicationCommand.Stats.class,
      ReplicationCommand.Resync.class
    })
final class ReplicationCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand; see 'flywall replication --help'.");
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Show the role, sync state, log position and checksum, and each peer's acknowledged"
              + " position and lag.")
  static final class Status extends HaCommand.ClientCommand {
    @Override
    public Integer call() {
      JsonNode s = options.client().get("/api/replication/status");
      StringBuilder text = new StringBuilder();
      text.append(
          String.format(
              "Node:       %s (%s)%n", s.path("node_id").asText(), s.path("role").asText()));
      text.append(
          String.format(
              "Sync:       %s (mode %s)%n",
              s.path("sync_state").asText(), s.path("sync_mode").asText()));
      text.append(String.format("Position:   %d%n", s.path("position").asLong()));
      text.append(String.format("Checksum:   %s%n", s.path("checksum").asText()));
      text.append(
          String.format(
              "Last sync:  %s%n",
              s.path("last_sync_time").isNull() ? "never" : s.path("last_sync_time").asText()));
      if (!s.path("primary_id").isNull()) {
        text.append(String.format("Primary:    %s%n", s.path("primary_id").asText()));
      }
      if (s.path("conflicts").asLong() > 0) {
        text.append(
            String.format(
                "Conflicts:  %d (see GET /api/replication/conflicts)%n",
                s.path("conflicts").asLong()));
      }
      if (s.path("problem").isTextual()) {
        text.append(String.format("Problem:    %s%n", s.path("problem").asText()));
      }
      if (s.path("peers").size() > 0) {
        Table peers = new Table("PEER", "ADDRESS", "STATE", "ACKED", "LAG CHANGES", "LAG MS");
        for (JsonNode p : s.path("peers")) {
          peers.row(
              p.path("node_id").asText(),
              p.path("address").asText(),
              p.path("state").asText(),
              p.path("acked_position").asLong(),
              p.path("lag_changes").asLong(),
              p.path("lag_ms").asLong() < 0 ? null : p.path("lag_ms").asLong());
        }
        text.append('\n').append(peers.render());
      }
      return print(s, text.toString());
    }
  }

  /** Nested objects as dotted names ("apply_latency.p99_ms"), never as raw JSON. */
  static void addRows(Table table, String prefix, JsonNode node) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = prefix + field.getKey();
      JsonNode value = field.getValue();
      if (value.isObject()) {
        addRows(table, name + ".", value);
      } else if (value.isArray()) {
        List<String> items = new java.util.ArrayList<>();
        value.forEach(v -> items.add(v.isValueNode() ? v.asText() : v.toString()));
        table.row(name, items.isEmpty() ? "-" : String.join(", ", items));
      } else {
        table.row(name, value.isNull() ? null : value.asText());
      }
    }
  }

  @Command(
      name = "stats",
      mixinStandardHelpOptions = true,
      description =
          "Show the changes and bytes sent and received, compression, batches, snapshots,"
              + " conflicts and latencies.")
  static final class Stats extends HaCommand.ClientCommand {
    @Override
    public Integer call() {
      JsonNode s = options.client().get("/api/replication/stats");
      Table table = new Table("COUNTER", "VALUE");
      addRows(table, "", s);
      return print(s, table.render());
    }
  }

  @Command(
      name = "resync",
      mixinStandardHelpOptions = true,
      description =
          "Drop this replica's copy of the state and take a fresh snapshot from the primary.")
  static final class Resync extends HaCommand.ClientCommand {
    @Override
    public Integer call() {
      JsonNode r = options.client().post("/api/replication/resync", Map.of());
      return print(r, r.path("message").asText("resync accepted") + "\n");
    }
  }
}
