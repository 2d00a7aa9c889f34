package io.flywall.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AcceptBackoffTest {

  @Test
  void pausesDoubleFromTenMillisecondsUpToOneSecondWhileAcceptsFail() {
    AcceptBackoff backoff = new AcceptBackoff();
    assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(10));
    assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(20));
    for (int i = 0; i < 20; i++) {
      backoff.failed();
    }
    assertThat(backoff.failed()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void oneSuccessfulAcceptEndsThePause() {
    AcceptBackoff backoff = new AcceptBackoff();
    for (int i = 0; i < 5; i++) {
      backoff.failed();
    }
    backoff.succeeded();
    assertThat(backoff.failed()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void onlyTheFirstFailureOfAStreakAndThenOneAMinuteAreLogged() {
    AcceptBackoff backoff = new AcceptBackoff();
    int logged = 0;
    for (int i = 0; i < 120; i++) {
      backoff.failed();
      logged += backoff.shouldLog() ? 1 : 0;
    }
    assertThat(logged).isEqualTo(3);
  }
}
