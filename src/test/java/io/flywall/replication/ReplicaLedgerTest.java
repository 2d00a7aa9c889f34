package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Section 6, sync mode: an acknowledgement counts only for the log it was given for. */
class ReplicaLedgerTest {
  private final ReplicaLedger ledger =
      new ReplicaLedger(
          Clock.fixed(Instant.parse("2026-11-30T02:00:00Z"), ZoneOffset.UTC),
          new ReplicationStats());

  @Test
  void aReplicasAckReleasesASyncWriteAtOrBelowItsPosition() throws InterruptedException {
    long term = ledger.newTerm();
    ledger.connected("fw-b", "127.0.0.1:1", 0);

    ledger.acked(term, "fw-b", 100, 7);

    assertThat(ledger.awaitAck(100, Duration.ZERO)).isTrue();
    assertThat(ledger.awaitAck(101, Duration.ZERO)).isFalse();
  }

  @Test
  void acksFromBeforeANewPrimaryTermDoNotCountForItsWrites() throws InterruptedException {
    long first = ledger.newTerm();
    ledger.connected("fw-b", "127.0.0.1:1", 0);
    ledger.acked(first, "fw-b", 1000, 7);

    // This node became primary again over another log (a snapshot it adopted, a new epoch).
    ledger.newTerm();

    assertThat(ledger.awaitAck(50, Duration.ZERO)).isFalse();
  }

  @Test
  void aLateAckOfAStreamOfAnEarlierTermIsIgnored() throws InterruptedException {
    long first = ledger.newTerm();
    long second = ledger.newTerm();
    ledger.connected("fw-b", "127.0.0.1:1", 0);

    ledger.acked(first, "fw-b", 1000, 7);
    assertThat(ledger.awaitAck(50, Duration.ZERO)).isFalse();

    ledger.acked(second, "fw-b", 50, 7);
    assertThat(ledger.awaitAck(50, Duration.ZERO)).isTrue();
  }

  @Test
  void aNewTermWaitsForAcksAgainEvenIfTheLastOneHadDegradedToAsync() throws InterruptedException {
    long first = ledger.newTerm();
    assertThat(ledger.awaitAck(1, Duration.ZERO)).isFalse();
    assertThat(ledger.degraded()).isTrue();

    long second = ledger.newTerm();

    assertThat(ledger.degraded()).isFalse();
    ledger.connected("fw-b", "127.0.0.1:1", 0);
    ledger.acked(second, "fw-b", 5, 7);
    assertThat(ledger.awaitAck(5, Duration.ZERO)).isTrue();
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void aStreamEndingAfterItsReplicaReconnectedLeavesTheNewStreamsStateAlone() {
    long term = ledger.newTerm();
    long old = ledger.connected("fw-b", "127.0.0.1:1", 0);
    ledger.state("fw-b", old, "streaming", 40);
    // fw-b reconnects (its old connection is not dead yet to this primary) and streams again.
    long current = ledger.connected("fw-b", "127.0.0.1:2", 40);
    ledger.state("fw-b", current, "streaming", 90);
    ledger.acked(term, "fw-b", 90, 7);

    // Only now does the old stream notice its connection is gone, and its last report arrives.
    ledger.state("fw-b", old, "streaming", 50);
    ledger.disconnected("fw-b", old);

    assertThat(ledger.replicas())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.state()).isEqualTo("streaming");
              assertThat(p.address()).isEqualTo("127.0.0.1:2");
              assertThat(p.sentPosition()).isEqualTo(90);
              assertThat(p.ackedPosition()).isEqualTo(90);
            });

    ledger.disconnected("fw-b", current);
    assertThat(ledger.replicas())
        .singleElement()
        .extracting(p -> p.state())
        .isEqualTo("disconnected");
  }
}
