package io.flywall.api;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Label;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The node's counters and gauges. One registry feeds both the Prometheus text format and the JSON
 * of {@code /api/ha/metrics}, so the two always show the same numbers.
 */
public final class HaMetrics {
  private static final String PREFIX = "flywall_";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter heartbeatsSent =
      counter("heartbeats_sent", "Heartbeats sent, by destination peer address", "peer");
  private final Counter heartbeatsReceived =
      counter("heartbeats_received", "Valid heartbeats received, by peer node id", "peer");
  private final Counter heartbeatsRejected =
      counter("heartbeats_rejected", "Heartbeats dropped, by reason", "reason");
  private final Gauge peerLastSeen =
      gauge("peer_last_seen_seconds", "Seconds since the last valid heartbeat from a peer", "peer");
  private final Gauge peerRtt =
      gauge("peer_rtt_milliseconds", "Heartbeat round-trip time to a peer", "peer");
  private final Gauge role =
      gauge("role", "1 for this node's current role, 0 for the others", "role");
  private final Gauge epoch = gauge("epoch", "Current epoch (fencing token)");
  private final Gauge healthy = gauge("healthy", "1 when links and gateways are healthy");
  private final Counter transitions =
      counter(
          "transitions", "Role transitions, by type (takeover, release, failback, ...)", "type");
  private final Counter failovers =
      counter("failovers", "Takeovers by this node, by cause category", "cause");
  private final Counter failbacks =
      counter("failbacks", "Failbacks handed over by this node, by cause category", "cause");
  private final Gauge lastFailoverDuration =
      gauge("last_failover_duration_seconds", "Duration of this node's last takeover, all steps");
  private final Gauge quorumVisible =
      gauge("quorum_visible", "Voters this node sees, itself included");
  private final Gauge quorumRequired =
      gauge("quorum_required", "Voters needed for quorum (0 when not required)");
  private final Counter scriptRuns =
      counter("script_runs", "Failover script runs, by phase", "phase");
  private final Counter scriptFailures =
      counter("script_failures", "Failover scripts that failed or timed out, by phase", "phase");
  private final Gauge alarm = gauge("alarm", "1 while an alarm is raised", "name");
  private final Gauge conntrackUp =
      gauge("conntrack_sync_up", "1 while conntrackd runs and hears from its peer");
  private final Gauge conntrackEntries =
      gauge(
          "conntrack_sync_entries",
          "Connections in conntrackd's caches: internal (this node's), external (the peer's)",
          "cache");
  private final Gauge conntrackMessages =
      gauge(
          "conntrack_sync_messages",
          "conntrackd sync messages since it started: sent, received, lost",
          "kind");
  private final Gauge conntrackRestarts =
      gauge("conntrack_sync_restarts", "Times conntrackd was restarted after it ended");
  private final Gauge conntrackCommit =
      gauge(
          "conntrack_sync_last_commit_seconds",
          "Duration of the last commit of the peer's connections into the kernel");

  private Counter counter(String name, String help, String... labels) {
    return Counter.builder().name(PREFIX + name).help(help).labelNames(labels).register(registry);
  }

  private Gauge gauge(String name, String help, String... labels) {
    return Gauge.builder().name(PREFIX + name).help(help).labelNames(labels).register(registry);
  }

  public void heartbeatSent(String peer) {
    heartbeatsSent.labelValues(peer).inc();
  }

  public void heartbeatReceived(String peer) {
    heartbeatsReceived.labelValues(peer).inc();
  }

  /** Sets the rejected count of a reason to the transport's running total. */
  public void heartbeatsRejected(String reason, long total) {
    var counter = heartbeatsRejected.labelValues(reason);
    long delta = total - (long) counter.get();
    if (delta > 0) {
      counter.inc(delta);
    }
  }

  public void peer(String peer, double lastSeenSeconds, double rttMillis) {
    peerLastSeen.labelValues(peer).set(lastSeenSeconds);
    if (rttMillis >= 0) {
      peerRtt.labelValues(peer).set(rttMillis);
    }
  }

  public void role(String current, Iterable<String> allRoles) {
    for (String r : allRoles) {
      role.labelValues(r).set(r.equals(current) ? 1 : 0);
    }
  }

  public void epoch(long value) {
    epoch.set(value);
  }

  public void healthy(boolean value) {
    healthy.set(value ? 1 : 0);
  }

  public void quorum(int visible, int required) {
    quorumVisible.set(visible);
    quorumRequired.set(required);
  }

  public void transition(String type) {
    transitions.labelValues(type).inc();
  }

  public void failover(String cause, double durationSeconds) {
    failovers.labelValues(cause).inc();
    lastFailoverDuration.set(durationSeconds);
  }

  public void failback(String cause) {
    failbacks.labelValues(cause).inc();
  }

  public void script(String phase, boolean ok) {
    scriptRuns.labelValues(phase).inc();
    if (!ok) {
      scriptFailures.labelValues(phase).inc();
    }
  }

  public void alarm(String name, boolean raised) {
    alarm.labelValues(name).set(raised ? 1 : 0);
  }

  /**
   * conntrackd's health and statistics; the caches and messages only when it answered ({@code >=
   * 0}).
   */
  public void conntrackSync(
      boolean up,
      long internal,
      long external,
      long sent,
      long received,
      long lost,
      long restarts,
      double lastCommitSeconds) {
    conntrackUp.set(up ? 1 : 0);
    if (internal >= 0) {
      conntrackEntries.labelValues("internal").set(internal);
      conntrackEntries.labelValues("external").set(external);
      conntrackMessages.labelValues("sent").set(sent);
      conntrackMessages.labelValues("received").set(received);
      conntrackMessages.labelValues("lost").set(lost);
    }
    conntrackRestarts.set(restarts);
    if (lastCommitSeconds >= 0) {
      conntrackCommit.set(lastCommitSeconds);
    }
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  public String prometheusText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  public static String prometheusContentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  /**
   * The same snapshot as JSON: {@code name -> value} for unlabelled metrics and {@code name ->
   * {label value -> value}} for labelled ones; counters keep Prometheus' {@code _total} suffix.
   */
  public Map<String, Object> asJson() {
    MetricSnapshots snapshots = registry.scrape();
    Map<String, Object> json = new LinkedHashMap<>();
    for (MetricSnapshot snapshot : snapshots) {
      String name = snapshot.getMetadata().getName().substring(PREFIX.length());
      boolean counter = snapshot instanceof CounterSnapshot;
      if (counter) {
        name += "_total";
      }
      Map<String, Object> byLabel = new LinkedHashMap<>();
      Object unlabelled = null;
      for (DataPointSnapshot point : snapshot.getDataPoints()) {
        double value =
            counter
                ? ((CounterSnapshot.CounterDataPointSnapshot) point).getValue()
                : ((GaugeSnapshot.GaugeDataPointSnapshot) point).getValue();
        Number number =
            value == Math.rint(value) && Math.abs(value) < 1e15 ? (Number) (long) value : value;
        if (point.getLabels().isEmpty()) {
          unlabelled = number;
        } else {
          byLabel.put(labelKey(point.getLabels()), number);
        }
      }
      json.put(name, unlabelled != null ? unlabelled : byLabel);
    }
    return json;
  }

  private static String labelKey(Labels labels) {
    if (labels.size() == 1) {
      return labels.getValue(0);
    }
    StringJoiner key = new StringJoiner(",");
    for (Label label : labels) {
      key.add(label.getName() + "=" + label.getValue());
    }
    return key.toString();
  }
}
