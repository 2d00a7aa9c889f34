package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@code flywall ha check} on API documents shaped like a daemon's; the states that
 * running nodes can be brought into are also checked end to end in {@link HaCheckTest}.
 */
class CheckVerdictTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final CheckVerdict.LagThresholds LAG =
      new CheckVerdict.LagThresholds(Duration.ofSeconds(5), Duration.ofSeconds(30));

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode status(String role, String primary, String alarms, String pending) {
    return json(
        ("{'node_id':'fw1','role':'%s','epoch':4,'primary_id':%s,'healthy':true,"
                + "'quorum':{'required':1,'visible':2,'has_quorum':true},"
                + "'failback':{'mode':'auto','enabled':true,'pending_until':%s},'alarms':[%s]}")
            .formatted(role, primary, pending, alarms));
  }

  private static final JsonNode PAIR =
      json(
          "{'epoch':4,'primary_id':'fw1','nodes':[{'node_id':'fw1','role':'primary','alive':true},"
              + "{'node_id':'fw2','role':'backup','alive':true}]}");

  private static JsonNode primaryReplication(long lagMs, long lagChanges) {
    return json(
        ("{'role':'primary','sync_state':'%s','peers':[{'node_id':'fw2','state':'%s',"
                + "'lag_changes':%d,'lag_ms':%d}]}")
            .formatted(
                lagChanges == 0 ? "in_sync" : "catching_up",
                lagChanges == 0 ? "in_sync" : "streaming",
                lagChanges,
                lagMs));
  }

  private static final JsonNode IN_SYNC = primaryReplication(0, 0);

  @Test
  void aPrimaryWithALiveInSyncReplicaIsOkOnOneLineWithPerfdata() {
    CheckVerdict verdict =
        CheckVerdict.of(status("primary", "'fw1'", "", "null"), PAIR, IN_SYNC, LAG, NOW);

    assertThat(verdict.state()).isEqualTo(CheckVerdict.State.OK);
    assertThat(verdict.state().exitCode()).isZero();
    assertThat(verdict.line())
        .isEqualTo(
            "FLYWALL OK - fw1 primary, epoch 4, primary fw1, 2/2 nodes alive, replication in sync"
                + " | role=2;;;0;3 epoch=4;;;0 lag=0s;5;30;0 lag_changes=0;;;0 alarms=0;0;;0"
                + " nodes_alive=2;;;0;2");
  }

  @Test
  void anAlarmOtherThanSplitBrainRiskIsAWarningAndIsCountedInThePerfdata() {
    CheckVerdict verdict =
        CheckVerdict.of(
            status(
                "primary",
                "'fw1'",
                "{'name':'conntrack_sync_silent','detail':'no message from the peer for 30 s'}",
                "null"),
            PAIR,
            IN_SYNC,
            LAG,
            NOW);

    assertThat(verdict.state()).isEqualTo(CheckVerdict.State.WARNING);
    assertThat(verdict.line())
        .startsWith(
            "FLYWALL WARNING - alarm conntrack_sync_silent: no message from the peer for 30 s (fw1")
        .contains("alarms=1;0;;0");
  }

  @Test
  void splitBrainRiskIsCritical() {
    CheckVerdict verdict =
        CheckVerdict.of(
            status(
                "backup",
                "null",
                "{'name':'split_brain_risk','detail':'10.0.0.1 answered by 02:00:00:00:00:01'}",
                "null"),
            PAIR,
            json("{'role':'replica','sync_state':'in_sync','peers':[]}"),
            LAG,
            NOW);

    assertThat(verdict.state()).isEqualTo(CheckVerdict.State.CRITICAL);
    assertThat(verdict.problems())
        .containsExactly(
            "no primary visible", "split-brain risk: 10.0.0.1 answered by 02:00:00:00:00:01");
  }

  @Test
  void replicationLagIsAWarningAboveWarnAndCriticalAboveCrit() {
    JsonNode status = status("primary", "'fw1'", "", "null");

    CheckVerdict within = CheckVerdict.of(status, PAIR, primaryReplication(5_000, 10), LAG, NOW);
    CheckVerdict warn = CheckVerdict.of(status, PAIR, primaryReplication(5_001, 10), LAG, NOW);
    CheckVerdict crit = CheckVerdict.of(status, PAIR, primaryReplication(30_001, 10), LAG, NOW);

    // Catching up is itself a warning; the lag decides between warning and critical.
    assertThat(within.problems()).containsExactly("replicas catching up");
    assertThat(warn.problems()).containsExactly("replicas catching up", "replication lag 5.001 s");
    assertThat(crit.state()).isEqualTo(CheckVerdict.State.CRITICAL);
    assertThat(crit.problems().get(0)).isEqualTo("replication lag 30.001 s");
    assertThat(crit.perfdata()).contains("lag=30.001s;5;30;0 lag_changes=10;;;0");
  }

  @Test
  void aReplicaBehindMeasuresItsLagFromItsLastAppliedBatch() {
    JsonNode replica =
        json(
            "{'role':'replica','sync_state':'streaming','last_sync_time':'2026-01-01T11:59:20Z',"
                + "'peers':[{'node_id':'fw1','state':'streaming','lag_changes':120,'lag_ms':-1}]}");

    CheckVerdict verdict =
        CheckVerdict.of(status("backup", "'fw1'", "", "null"), PAIR, replica, LAG, NOW);

    assertThat(verdict.state()).isEqualTo(CheckVerdict.State.CRITICAL);
    assertThat(verdict.problems()).containsExactly("replication lag 40 s", "replica streaming");
    assertThat(verdict.perfdata()).startsWith("role=1;;;0;3").contains("lag=40s;5;30;0");
  }

  @Test
  void aDeadPeerAndADisconnectedReplicaAreWarnings() {
    JsonNode cluster =
        json(
            "{'nodes':[{'node_id':'fw1','role':'primary','alive':true},"
                + "{'node_id':'fw2','role':'backup','alive':false},"
                + "{'node_id':null,'role':null,'alive':false,'address':'10.0.0.3:9002'}]}");
    JsonNode replication =
        json(
            "{'role':'primary','sync_state':'no_replicas','peers':[{'node_id':'fw2',"
                + "'state':'disconnected','lag_changes':9000,'lag_ms':600000}]}");

    CheckVerdict verdict =
        CheckVerdict.of(status("primary", "'fw1'", "", "null"), cluster, replication, LAG, NOW);

    assertThat(verdict.state()).isEqualTo(CheckVerdict.State.WARNING);
    // A dead replica's growing lag is not a replication problem of the live ones.
    assertThat(verdict.problems())
        .containsExactly(
            "fw2 not alive", "peer 10.0.0.3:9002 never heard", "replica fw2 disconnected");
    assertThat(verdict.perfdata()).contains("lag=0s;5;30;0").endsWith("nodes_alive=1;;;0;3");
  }

  @Test
  void faultIsCriticalAndNamesItsCause() {
    JsonNode status =
        json(
            "{'node_id':'fw1','role':'fault','epoch':4,'primary_id':null,'healthy':false,"
                + "'health_cause':'link eth0 is down','alarms':[]}");

    CheckVerdict verdict = CheckVerdict.of(status, PAIR, IN_SYNC, LAG, NOW);

    assertThat(verdict.state()).isEqualTo(CheckVerdict.State.CRITICAL);
    assertThat(verdict.problems())
        .containsExactly("fault: link eth0 is down", "no primary visible");
    assertThat(verdict.perfdata()).startsWith("role=3;;;0;3");
  }

  @Test
  void textFromTheDaemonCannotBreakTheOneLineFormat() {
    CheckVerdict verdict =
        CheckVerdict.of(
            status("primary", "'fw1'", "{'name':'x','detail':'a|b\\nc'}", "null"),
            PAIR,
            IN_SYNC,
            LAG,
            NOW);

    assertThat(verdict.line()).doesNotContain("\n").contains("alarm x: a/b c");
    assertThat(verdict.line().split("\\|")).hasSize(2);
  }

  @Test
  void anUnreachableDaemonIsUnknownWithoutPerfdata() {
    CheckVerdict verdict = CheckVerdict.unknown("cannot reach the daemon's API");

    assertThat(verdict.state().exitCode()).isEqualTo(3);
    assertThat(verdict.line()).isEqualTo("FLYWALL UNKNOWN - cannot reach the daemon's API");
  }
}
