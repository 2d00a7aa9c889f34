package io.flywall.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.flywall.config.DurationSyntax;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flywall ha ...}: see and steer the cluster through the local daemon's API. */
@Command(
    name = "ha",
    mixinStandardHelpOptions = true,
    description = "See and steer the HA cluster through the local daemon's API.",
    subcommands = {
      HaCommand.Status.class,
      HaCommand.Cluster.class,
      HaCommand.History.class,
      HaCommand.Failover.class,
      HaCommand.Failback.class,
      HaCommand.Promote.class,
      HaCommand.Reset.class,
      HaCommand.Standby.class,
      HaCommand.Unstandby.class,
      HaCommand.Monitor.class,
      HaCommand.Check.class
    })
final class HaCommand implements Runnable {
  /**
   * Built on first use: picocli creates every command for any command line, and a mapper here would
   * cost {@code flywall run} a few hundred classes before its first heartbeat.
   */
  private static final class Pretty {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand; see 'flywall ha --help'.");
  }

  /** Common shape of the client commands: call the API, print JSON or a human view. */
  abstract static class ClientCommand implements Callable<Integer> {
    @Mixin ClientOptions options;
    @Spec CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    int print(JsonNode json, String human) {
      if (options.json) {
        try {
          out().println(Pretty.JSON.writeValueAsString(json));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      } else {
        out().print(human);
      }
      out().flush();
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show this node's role, epoch, quorum, VIPs, failback state and alarms.",
      footerHeading = "%nExamples:%n",
      footer = {"  flywall ha status", "  flywall ha status --json | jq .role"})
  static final class Status extends ClientCommand {
    @Override
    public Integer call() {
      JsonNode s = options.client().get("/api/ha/status");
      StringBuilder text = new StringBuilder();
      text.append(
          String.format(
              "Node:      %s (priority %d)%n",
              s.path("node_id").asText(), s.path("priority").asInt()));
      text.append(
          String.format(
              "Role:      %s since %s%n",
              s.path("role").asText(),
              HumanTime.withAge(s.path("since").asText(), Clock.systemUTC().instant())));
      if (s.path("standby").asBoolean()) {
        text.append(String.format("Standby:   yes (not eligible until 'flywall ha unstandby')%n"));
      }
      text.append(String.format("Epoch:     %d%n", s.path("epoch").asLong()));
      text.append(
          String.format(
              "Primary:   %s%n",
              s.path("primary_id").isNull() ? "none" : s.path("primary_id").asText()));
      text.append(
          String.format(
              "Healthy:   %s%s%n",
              s.path("healthy").asBoolean() ? "yes" : "no",
              s.path("health_cause").isTextual()
                  ? " (" + s.path("health_cause").asText() + ")"
                  : ""));
      JsonNode q = s.path("quorum");
      text.append(
          String.format(
              "Quorum:    %s (%d visible, %d required)%n",
              q.path("has_quorum").asBoolean() ? "yes" : "NO",
              q.path("visible").asInt(),
              q.path("required").asInt()));
      JsonNode f = s.path("failback");
      text.append(
          String.format(
              "Failback:  %s, %s%s%n",
              f.path("mode").asText(),
              f.path("enabled").asBoolean() ? "enabled" : "suspended",
              f.path("pending_until").isTextual()
                  ? ", pending until "
                      + HumanTime.withAge(
                          f.path("pending_until").asText(), Clock.systemUTC().instant())
                  : ""));
      for (JsonNode alarm : s.path("alarms")) {
        text.append(
            String.format(
                "ALARM:     %s: %s%n", alarm.path("name").asText(), alarm.path("detail").asText()));
      }
      if (s.path("vips").size() > 0) {
        Table vips = new Table("VIP", "INTERFACE", "HELD");
        for (JsonNode vip : s.path("vips")) {
          vips.row(
              vip.path("address").asText(),
              vip.path("interface").asText(),
              vip.path("held").asBoolean() ? "yes" : "no");
        }
        text.append('\n').append(vips.render());
      }
      return print(s, text.toString());
    }
  }

  @Command(
      name = "cluster",
      mixinStandardHelpOptions = true,
      description = "List every node this node knows of, with liveness, role and RTT.",
      footerHeading = "%nExample:%n",
      footer = {"  flywall ha cluster"})
  static final class Cluster extends ClientCommand {
    @Override
    public Integer call() {
      JsonNode c = options.client().get("/api/ha/cluster");
      Table table =
          new Table(
              "NODE",
              "ROLE",
              "PRIORITY",
              "ALIVE",
              "HEALTHY",
              "IN SYNC",
              "EPOCH",
              "LAST SEEN",
              "RTT",
              "ADDRESS");
      for (JsonNode n : c.path("nodes")) {
        boolean heard = !n.path("node_id").isNull();
        table.row(
            heard ? n.path("node_id").asText() : "(never heard)",
            heard
                ? n.path("role").asText() + (n.path("standby").asBoolean() ? " (standby)" : "")
                : null,
            heard ? n.path("priority").asInt() : null,
            n.path("alive").asBoolean() ? "yes" : "no",
            n.path("healthy").asBoolean() ? "yes" : "no",
            heard ? (n.path("in_sync").asBoolean() ? "yes" : "no") : null,
            heard ? n.path("epoch").asLong() : null,
            n.path("last_seen_ms").isNull()
                ? null
                : HumanTime.span(Duration.ofMillis(n.path("last_seen_ms").asLong())) + " ago",
            n.path("rtt_ms").isNull() ? null : String.format("%.2fms", n.path("rtt_ms").asDouble()),
            n.path("address").isNull() ? null : n.path("address").asText());
      }
      String header =
          String.format(
              "Epoch %d, primary %s%n%n",
              c.path("epoch").asLong(),
              c.path("primary_id").isNull() ? "none" : c.path("primary_id").asText());
      return print(c, header + table.render());
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "Show the failover history, newest first, with causes and step timings.",
      footerHeading = "%nExamples:%n",
      footer = {"  flywall ha history --limit 5", "  flywall ha history --json"})
  static final class History extends ClientCommand {
    @Option(
        names = {"-n", "--limit"},
        paramLabel = "N",
        defaultValue = "20",
        description = "Show at most N events (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit < 1 || limit > 10_000) {
        throw new UserError("--limit must be from 1 to 10000", 2);
      }
      JsonNode h = options.client().get("/api/ha/history?limit=" + limit);
      // Causes and steps are sentences: wrapped, so a table still fits a terminal.
      Table table =
          new Table("ID", "TIME", "TYPE", "FROM", "TO", "EPOCH", "MS", "CAUSE", "STEPS")
              .wrap(7, 60)
              .wrap(8, 40);
      java.time.Instant now = Clock.systemUTC().instant();
      for (JsonNode e : h.path("events")) {
        StringBuilder steps = new StringBuilder();
        for (JsonNode step : e.path("steps")) {
          steps
              .append(steps.length() == 0 ? "" : " ")
              .append(step.path("name").asText())
              .append('=')
              .append(step.path("duration_ms").asLong())
              .append("ms")
              .append(
                  step.path("skipped").asBoolean()
                      ? "(SKIPPED)"
                      : step.path("ok").asBoolean() ? "" : "(FAILED)");
        }
        table.row(
            e.path("id").asLong(),
            HumanTime.withAge(e.path("time").asText(), now),
            e.path("type").asText(),
            e.path("from_role").asText(),
            e.path("to_role").asText(),
            e.path("epoch").asLong(),
            e.path("duration_ms").asLong(),
            e.path("cause").asText(),
            steps.length() == 0 ? null : steps);
      }
      return print(h, table.render());
    }
  }

  @Command(
      name = "failover",
      mixinStandardHelpOptions = true,
      description =
          "Hand the primary role over as planned: the primary releases and the target takes over"
              + " without waiting for a timeout.",
      footerHeading = "%nExamples:%n",
      footer = {"  flywall ha failover", "  flywall ha failover --to fw2"})
  static final class Failover extends ClientCommand {
    @Option(
        names = "--to",
        paramLabel = "NODE",
        description = "The node to hand over to (default: the best eligible node).")
    String target;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      Optional.ofNullable(target).ifPresent(t -> body.put("target", t));
      JsonNode r = options.client().post("/api/ha/failover", body);
      return print(
          r,
          String.format(
              "Failover accepted: %s -> %s%n", r.path("from").asText(), r.path("to").asText()));
    }
  }

  @Command(
      name = "failback",
      mixinStandardHelpOptions = true,
      description = "Arm (enable) or suspend (disable) automatic failback, cluster-wide.",
      footerHeading = "%nExamples:%n",
      footer = {"  flywall ha failback disable   # maintenance", "  flywall ha failback enable"})
  static final class Failback extends ClientCommand {
    enum Setting {
      enable,
      disable
    }

    @Parameters(
        paramLabel = "enable|disable",
        description =
            "enable arms failback (manual mode) or resumes it (auto mode); disable suspends it.")
    Setting setting;

    @Override
    public Integer call() {
      JsonNode r =
          options.client().post("/api/ha/failback", Map.of("enabled", setting == Setting.enable));
      return print(
          r,
          "Failback " + (r.path("failback_enabled").asBoolean() ? "enabled" : "disabled") + "\n");
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description =
          "Force this node to become primary with a new epoch (refused without --force when it lacks quorum).",
      footerHeading = "%nExample:%n",
      footer = {"  flywall ha promote"})
  static final class Promote extends ClientCommand {
    @Option(
        names = "--force",
        description =
            "Promote even without quorum. This risks two primaries: be sure the other side is"
                + " down.")
    boolean force;

    @Override
    public Integer call() {
      JsonNode r = options.client().post("/api/ha/promote", Map.of("force", force));
      return print(r, r.path("message").asText("promotion accepted") + "\n");
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description = {
        "Clear fault, split-brain alarm and failback anti-flap state, then re-run the election.",
        "A suspended automatic failback (failback disable) is resumed too; the answer lists"
            + " everything it cleared. Standby is kept. It deletes no data."
      },
      footerHeading = "%nExample:%n",
      footer = {"  flywall ha reset && flywall ha status"})
  static final class Reset extends ClientCommand {
    @Override
    public Integer call() {
      JsonNode r = options.client().post("/api/ha/reset", Map.of());
      return print(r, r.path("message").asText("reset accepted") + "\n");
    }
  }

  /** {@code ha standby [NODE]} and {@code ha unstandby [NODE]}: one request, two words. */
  abstract static class StandbySwitch extends ClientCommand {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "NODE",
        description =
            "The node (default: this node). Another node gets the request in this node's"
                + " heartbeats, applies and persists it; refused (exit 6) if it is not alive"
                + " here or does not show it within two failure timeouts.")
    String node;

    abstract boolean on();

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      Optional.ofNullable(node).ifPresent(n -> body.put("node", n));
      body.put("standby", on());
      JsonNode r = options.client().post("/api/ha/standby", body);
      return print(r, r.path("message").asText(on() ? "in standby" : "out of standby") + "\n");
    }
  }

  @Command(
      name = "standby",
      mixinStandardHelpOptions = true,
      description = {
        "Take a node out of service for maintenance until 'flywall ha unstandby'.",
        "A primary first hands its role over as planned (make before break); a standby node"
            + " stays backup, is never elected, takes no failback and no handover, and stays so"
            + " across restarts.",
        "Refused (exit 6) when the node is primary and no other node can take the role now."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  flywall ha standby",
        "  flywall ha status      # Standby: yes",
        "  flywall ha standby fw2 # from any node that hears fw2",
        "  flywall ha cluster     # fw2: backup (standby)"
      })
  static final class Standby extends StandbySwitch {
    @Override
    boolean on() {
      return true;
    }
  }

  @Command(
      name = "unstandby",
      mixinStandardHelpOptions = true,
      description =
          "Take a node out of standby: it is eligible again (with auto failback a preferred"
              + " node takes the role back after failback_delay).",
      footerHeading = "%nExamples:%n",
      footer = {"  flywall ha unstandby", "  flywall ha unstandby fw2"})
  static final class Unstandby extends StandbySwitch {
    @Override
    boolean on() {
      return false;
    }
  }

  @Command(
      name = "monitor",
      mixinStandardHelpOptions = true,
      description =
          "Stream heartbeats (per peer, with RTT), role changes and alarms live until Ctrl-C.",
      footerHeading = "%nExample:%n",
      footer = {"  flywall ha monitor --json"})
  static final class Monitor extends ClientCommand {
    @Override
    public Integer call() {
      ApiClient client = options.client();
      // On stderr: stdout carries only events, one JSON object per line with --json.
      spec.commandLine().getErr().println("Monitoring " + client.base() + " (Ctrl-C to stop)");
      spec.commandLine().getErr().flush();
      client.stream(
          "/api/ha/monitor",
          (type, event) -> {
            if (options.json) {
              out().println(event.toString());
            } else {
              out().println(MonitorLine.format(type, event));
            }
            out().flush();
          });
      return 0;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Check this node for a monitoring system (a Nagios or Icinga plugin). It prints one line,"
            + " 'FLYWALL STATE - problems (situation) | perfdata', and exits with the plugin state.",
        "Run it on every node: each one reports what it sees of the cluster."
      },
      exitCodeListHeading = "Exit status:%n",
      exitCodeList = {
        "0:OK: a primary is visible, no alarm is raised, every peer is alive and replication"
            + " lags less than --warn-lag.",
        "1:WARNING: an alarm is raised, a peer is not alive, a replica lags or is disconnected,"
            + " quorum is lost, or a failback is pending.",
        "2:CRITICAL: this node is in fault, no primary is visible, a split brain is at risk"
            + " (split_brain_risk), or replication lags more than --crit-lag.",
        "3:UNKNOWN: the daemon's API cannot be reached or answers an error, or the arguments are"
            + " wrong."
      },
      footerHeading = "%nPerformance data:%n",
      footer = {
        "role (0 init, 1 backup, 2 primary, 3 fault), epoch, lag (seconds, with the --warn-lag"
            + " and --crit-lag thresholds), lag_changes, alarms (raised alarms; any is a warning),"
            + " nodes_alive (of the nodes this node knows).",
        "",
        "Example, as the command of an Icinga or Nagios service (run it as root: it reads the"
            + " API token only to find the API, the check itself changes nothing):",
        "  flywall ha check --warn-lag 5s --crit-lag 30s"
      })
  static final class Check extends ClientCommand {
    @Option(
        names = "--warn-lag",
        paramLabel = "DURATION",
        defaultValue = "5s",
        converter = DurationConverter.class,
        description =
            "Replication lag above which the check warns, e.g. 500ms, 5s, 1m (default:"
                + " ${DEFAULT-VALUE}).")
    Duration warnLag;

    @Option(
        names = "--crit-lag",
        paramLabel = "DURATION",
        defaultValue = "30s",
        converter = DurationConverter.class,
        description =
            "Replication lag above which the check is critical (default: ${DEFAULT-VALUE}).")
    Duration critLag;

    @Override
    public Integer call() {
      CheckVerdict verdict;
      if (warnLag.compareTo(critLag) > 0) {
        verdict =
            CheckVerdict.unknown(
                "--warn-lag ("
                    + CheckVerdict.seconds(warnLag)
                    + " s) must not exceed --crit-lag ("
                    + CheckVerdict.seconds(critLag)
                    + " s)");
      } else {
        verdict = ask();
      }
      if (options.json) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("state", verdict.state().name());
        json.put("exit_code", verdict.state().exitCode());
        json.put("problems", verdict.problems());
        json.put("summary", verdict.summary());
        json.put("perfdata", verdict.perfdata());
        json.put("line", verdict.line());
        print(Pretty.JSON.valueToTree(json), "");
      } else {
        out().println(verdict.line());
        out().flush();
      }
      return verdict.state().exitCode();
    }

    private CheckVerdict ask() {
      try {
        ApiClient client = options.client();
        return CheckVerdict.of(
            client.get("/api/ha/status"),
            client.get("/api/ha/cluster"),
            client.get("/api/replication/status"),
            new CheckVerdict.LagThresholds(warnLag, critLag),
            Clock.systemUTC().instant());
      } catch (UserError e) {
        return CheckVerdict.unknown(e.getMessage());
      } catch (RuntimeException e) {
        // A monitoring system must get a plugin state, even for a daemon that answers nonsense.
        return CheckVerdict.unknown("unexpected answer from the daemon: " + e);
      }
    }
  }

  /** Durations on the command line as the config writes them: "500ms", "5s", "1m". */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return DurationSyntax.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
