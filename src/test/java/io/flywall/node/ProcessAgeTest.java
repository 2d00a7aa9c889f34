package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessAgeTest {

  @Test
  void theAgeIsTheTimeSinceBootLessTheProcessStartInClockTicks() {
    String stat =
        "4242 (java (flywall) x) S 1 4242 4242 0 -1 4194560 1 0 0 0 5 1 0 0 20 0 19 0 123456"
            + " 4000000 1000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    // Started at tick 123456 (1234.56 s after boot); now 1236.06 s after boot.
    assertThat(ProcessAge.millis("1236.06 5000.00\n", stat)).contains(1500L);
  }

  @Test
  void filesThatDoNotReadAsExpectedGiveNoAge() {
    assertThat(ProcessAge.millis("", "1 (x) S")).isEmpty();
    assertThat(ProcessAge.millis("12.0 1.0", "no parenthesis")).isEmpty();
  }

  @Test
  void thisProcessIsAboutAsOldAsItsJvm() {
    Optional<Long> age = ProcessAge.millis();
    long jvm = ManagementFactory.getRuntimeMXBean().getUptime();
    assertThat(age).isPresent();
    // The process starts just before the JVM counts; /proc counts in 10 ms ticks.
    assertThat(age.get()).isGreaterThanOrEqualTo(jvm - 20);
  }
}
