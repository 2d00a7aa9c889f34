package io.flywall.network;

import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.network.ProbeVerdict.Outcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The arp_ping verdict during detection (DESIGN 10.2), on simulated time. */
class ProbeLogTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration WINDOW = Duration.ofMillis(100);
  private static final Vip VIP = vip("10.0.0.100/24", "lan0");
  private static final MacAddress OTHER = MacAddress.of("02:00:00:00:00:02");

  private static Instant at(long millis) {
    return T0.plusMillis(millis);
  }

  @Test
  void aFloodOfAnswersKeepsABoundedNumberAndTheVerdictStillSaysAnswered() {
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(0));
    for (int i = 0; i < 100_000; i++) {
      log.answered(
          VIP,
          MacAddress.of(String.format("02:00:00:00:%02x:%02x", i >> 8 & 0xff, i & 0xff)),
          at(1));
    }
    ProbeVerdict verdict = log.verdict(VIP, at(0), at(2), WINDOW);
    assertThat(verdict.outcome()).isEqualTo(Outcome.ANSWERED);
    // 65,536 different MACs answered; only the newest MAX_ANSWERS answers are still kept.
    assertThat(verdict.answerers()).hasSize(ProbeLog.MAX_ANSWERS);
  }

  @Test
  void noRequestSentAfterThePrimaryWasLastHeardLeavesTheVerdictUndecided() {
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(0));
    log.answered(VIP, OTHER, at(1));

    ProbeVerdict verdict = log.verdict(VIP, at(10), at(500), WINDOW);

    assertThat(verdict.outcome()).isEqualTo(Outcome.UNDECIDED);
  }

  @Test
  void anAnswerBeforeTheFirstCountingRequestDoesNotCountButOneAfterItDoes() {
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(0));
    log.answered(VIP, OTHER, at(1));
    log.sent(VIP, at(25));

    assertThat(log.verdict(VIP, at(10), at(60), WINDOW).outcome()).isEqualTo(Outcome.UNDECIDED);
    assertThat(log.verdict(VIP, at(10), at(125), WINDOW).outcome()).isEqualTo(Outcome.SILENT);

    log.answered(VIP, OTHER, at(126));
    ProbeVerdict answered = log.verdict(VIP, at(10), at(130), WINDOW);
    assertThat(answered.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(answered.answerers()).containsExactly(OTHER);
    assertThat(answered.waited()).isEqualTo(Duration.ofMillis(105));
  }

  @Test
  void anAnsweredVerdictSaysWhenTheLastAnswerCameAndCountingFromThereTheVipIsFreeAWindowLater() {
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(0));
    log.answered(VIP, OTHER, at(2));
    log.sent(VIP, at(25));
    log.answered(VIP, OTHER, at(27));
    log.sent(VIP, at(50));
    log.sent(VIP, at(75));

    ProbeVerdict answered = log.verdict(VIP, at(0), at(80), WINDOW);
    assertThat(answered.outcome()).isEqualTo(Outcome.ANSWERED);
    assertThat(answered.lastAnswerAt()).contains(at(27));

    // The holder went quiet after 27 ms: requests from 50 ms on count, a window after the first.
    log.sent(VIP, at(100));
    log.sent(VIP, at(125));
    log.sent(VIP, at(150));
    assertThat(log.verdict(VIP, at(27), at(149), WINDOW).outcome()).isEqualTo(Outcome.UNDECIDED);
    assertThat(log.verdict(VIP, at(27), at(150), WINDOW).outcome()).isEqualTo(Outcome.SILENT);
    assertThat(log.verdict(VIP, at(27), at(150), WINDOW).lastAnswerAt()).isEmpty();
  }

  @Test
  void aVipIsSilentOnlyOnceTheWindowHasPassedSinceTheFirstCountingRequest() {
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(20));
    log.sent(VIP, at(45));

    assertThat(log.verdict(VIP, at(0), at(119), WINDOW).outcome()).isEqualTo(Outcome.UNDECIDED);
    assertThat(log.verdict(VIP, at(0), at(120), WINDOW).outcome()).isEqualTo(Outcome.SILENT);
    assertThat(log.verdict(vip("10.0.0.101/24", "lan0"), at(0), at(120), WINDOW).outcome())
        .as("another VIP has no requests")
        .isEqualTo(Outcome.UNDECIDED);
  }

  @Test
  void forgettingAVipDropsItsRequestsAndAnswers() {
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(0));
    log.answered(VIP, OTHER, at(1));

    log.forget(VIP);

    assertThat(log.verdict(VIP, at(0), at(500), WINDOW).outcome()).isEqualTo(Outcome.UNDECIDED);
  }

  @Test
  void afterAStopAndARestartOnlyTheRestartedRequestsAndTheAnswersAfterThemCount() {
    // What LanProbe does: requests on, stop (forget), answers still heard while off, on again.
    ProbeLog log = new ProbeLog();
    log.sent(VIP, at(10));
    log.sent(VIP, at(20));
    log.forget(VIP);
    log.answered(VIP, OTHER, at(30));
    log.sent(VIP, at(40));

    assertThat(log.verdict(VIP, at(0), at(89), WINDOW.dividedBy(2)).outcome())
        .as("requests before the stop do not fill the window")
        .isEqualTo(Outcome.UNDECIDED);
    assertThat(log.verdict(VIP, at(0), at(90), WINDOW.dividedBy(2)).outcome())
        .as("an answer heard while no request was out does not count")
        .isEqualTo(Outcome.SILENT);

    log.answered(VIP, OTHER, at(95));
    assertThat(log.verdict(VIP, at(0), at(96), WINDOW.dividedBy(2)).answerers())
        .containsExactly(OTHER);
  }
}
