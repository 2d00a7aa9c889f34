package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code flywall ha check} reports, by the monitoring-plugin convention of Nagios and Icinga:
 * a state with its exit code, one line of text and performance data. Decided from the API's status,
 * cluster and replication documents alone, so it can be tested without a daemon.
 *
 * @param problems what is wrong, worst first; empty when OK
 * @param summary the node's situation in a few words
 * @param perfdata {@code label=value[UOM];warn;crit;min;max} items, space-separated
 */
record CheckVerdict(State state, List<String> problems, String summary, String perfdata) {

  /** The plugin states, in the order of severity; the ordinal is the exit code. */
  enum State {
    OK,
    WARNING,
    CRITICAL,
    UNKNOWN;

    int exitCode() {
      return ordinal();
    }
  }

  /** Replication lag above {@code warn} is a warning, above {@code critical} critical. */
  record LagThresholds(Duration warn, Duration critical) {}

  /**
   * Roles as perfdata numbers (perfdata has no strings): the order of the role's life, fault last.
   */
  static final Map<String, Integer> ROLE_CODES =
      Map.of("init", 0, "backup", 1, "primary", 2, "fault", 3);

  static final String SPLIT_BRAIN_RISK = "split_brain_risk";

  CheckVerdict {
    problems = List.copyOf(problems);
  }

  /** The one line a monitoring system shows: {@code FLYWALL STATE - text | perfdata}. */
  String line() {
    String text =
        problems.isEmpty()
            ? summary
            : String.join("; ", problems) + (summary.isEmpty() ? "" : " (" + summary + ")");
    return "FLYWALL "
        + state
        + " - "
        + oneLine(text)
        + (perfdata.isEmpty() ? "" : " | " + perfdata);
  }

  /** The daemon could not be asked: the state of the cluster is unknown, not bad. */
  static CheckVerdict unknown(String why) {
    return new CheckVerdict(State.UNKNOWN, List.of(why), "", "");
  }

  static CheckVerdict of(
      JsonNode status, JsonNode cluster, JsonNode replication, LagThresholds lag, Instant now) {
    List<String> critical = new ArrayList<>();
    List<String> warning = new ArrayList<>();

    String nodeId = status.path("node_id").asText("?");
    String role = status.path("role").asText("?");
    long epoch = status.path("epoch").asLong();
    if (role.equals("fault")) {
      critical.add(
          "fault"
              + (status.path("health_cause").isTextual()
                  ? ": " + status.path("health_cause").asText()
                  : ""));
    }
    Optional<String> primary = text(status.path("primary_id"));
    if (primary.isEmpty()) {
      critical.add("no primary visible");
    }
    int alarms = 0;
    for (JsonNode alarm : status.path("alarms")) {
      alarms++;
      String name = alarm.path("name").asText();
      String detail = alarm.path("detail").asText("");
      if (name.equals(SPLIT_BRAIN_RISK)) {
        critical.add("split-brain risk" + (detail.isEmpty() ? "" : ": " + detail));
      } else {
        warning.add("alarm " + name + (detail.isEmpty() ? "" : ": " + detail));
      }
    }
    text(status.path("failback").path("pending_until"))
        .ifPresent(until -> warning.add("failback pending until " + until));
    JsonNode quorum = status.path("quorum");
    if (quorum.has("has_quorum") && !quorum.path("has_quorum").asBoolean()) {
      warning.add(
          "no quorum ("
              + quorum.path("visible").asInt()
              + " of "
              + quorum.path("required").asInt()
              + " required voters visible)");
    }

    int nodes = 0;
    int alive = 0;
    int otherNodes = 0;
    for (JsonNode node : cluster.path("nodes")) {
      nodes++;
      boolean isAlive = node.path("alive").asBoolean();
      alive += isAlive ? 1 : 0;
      Optional<String> id = text(node.path("node_id"));
      if (id.isPresent() && id.get().equals(nodeId)) {
        continue;
      }
      if (!node.path("role").asText().equals("witness")) {
        otherNodes++;
      }
      if (!isAlive) {
        warning.add(
            id.map(n -> n + " not alive")
                .orElseGet(() -> "peer " + node.path("address").asText("?") + " never heard"));
      }
    }

    ReplicationLag measured = ReplicationLag.of(replication, now);
    String syncState = replication.path("sync_state").asText("?");
    if (replication.path("role").asText().equals("replica") && !syncState.equals("in_sync")) {
      warning.add(
          "replica "
              + syncState.replace('_', ' ')
              + text(replication.path("problem")).map(p -> ": " + p).orElse(""));
    } else if (replication.path("role").asText().equals("primary")) {
      boolean named = false;
      for (JsonNode peer : replication.path("peers")) {
        if (peer.path("state").asText().equals("disconnected")) {
          warning.add("replica " + peer.path("node_id").asText("?") + " disconnected");
          named = true;
        }
      }
      if (syncState.equals("catching_up")) {
        warning.add("replicas catching up");
      } else if (syncState.equals("no_replicas") && otherNodes > 0 && !named) {
        warning.add("no replica connected");
      }
    }
    if (measured.time().compareTo(lag.critical()) > 0) {
      critical.add("replication lag " + seconds(measured.time()) + " s");
    } else if (measured.time().compareTo(lag.warn()) > 0) {
      warning.add("replication lag " + seconds(measured.time()) + " s");
    }

    State state =
        !critical.isEmpty() ? State.CRITICAL : !warning.isEmpty() ? State.WARNING : State.OK;
    List<String> problems = new ArrayList<>(critical);
    problems.addAll(warning);
    String summary =
        String.format(
            Locale.ROOT,
            "%s %s, epoch %d, primary %s, %d/%d nodes alive, replication %s",
            nodeId,
            role,
            epoch,
            primary.orElse("none"),
            alive,
            nodes,
            syncState.replace('_', ' '));
    String perfdata =
        String.join(
            " ",
            String.format(Locale.ROOT, "role=%d;;;0;3", ROLE_CODES.getOrDefault(role, 0)),
            String.format(Locale.ROOT, "epoch=%d;;;0", epoch),
            String.format(
                Locale.ROOT,
                "lag=%ss;%s;%s;0",
                seconds(measured.time()),
                seconds(lag.warn()),
                seconds(lag.critical())),
            String.format(Locale.ROOT, "lag_changes=%d;;;0", measured.changes()),
            String.format(Locale.ROOT, "alarms=%d;0;;0", alarms),
            String.format(Locale.ROOT, "nodes_alive=%d;;;0;%d", alive, nodes));
    return new CheckVerdict(state, problems, summary, perfdata);
  }

  /**
   * How far replication is behind, from this node's side. On a primary: the worst connected replica
   * (a disconnected one is reported as not alive instead). On a replica: the changes it lacks, and
   * for how long it has lacked them (since its last applied batch).
   */
  record ReplicationLag(Duration time, long changes) {
    static ReplicationLag of(JsonNode replication, Instant now) {
      Duration time = Duration.ZERO;
      long changes = 0;
      boolean primary = replication.path("role").asText().equals("primary");
      for (JsonNode peer : replication.path("peers")) {
        if (primary && peer.path("state").asText().equals("disconnected")) {
          continue;
        }
        long behind = Math.max(0, peer.path("lag_changes").asLong());
        changes = Math.max(changes, behind);
        long ms = peer.path("lag_ms").asLong(-1);
        if (ms >= 0) {
          time = max(time, Duration.ofMillis(ms));
        } else if (behind > 0) {
          Optional<Instant> lastSync = instant(replication.path("last_sync_time"));
          if (lastSync.isPresent() && lastSync.get().isBefore(now)) {
            time = max(time, Duration.between(lastSync.get(), now));
          }
        }
      }
      return new ReplicationLag(time, changes);
    }

    private static Duration max(Duration a, Duration b) {
      return a.compareTo(b) >= 0 ? a : b;
    }
  }

  private static Optional<String> text(JsonNode node) {
    return node.isTextual() && !node.asText().isEmpty()
        ? Optional.of(node.asText())
        : Optional.empty();
  }

  private static Optional<Instant> instant(JsonNode node) {
    try {
      return text(node).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** Seconds with millisecond precision and no trailing zeros: 0, 0.25, 5, 30. */
  static String seconds(Duration d) {
    return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  /** Keeps the output one line and the text free of the perfdata separator. */
  private static String oneLine(String text) {
    return text.replaceAll("[\\r\\n]+", " ").replace('|', '/');
  }
}
