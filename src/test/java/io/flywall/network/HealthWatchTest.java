package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthWatchTest {

  private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(1);
  private final List<String> verdicts = new ArrayList<>();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private HealthWatch watch(FakeCommandRunner runner, List<String> links, List<String> gateways) {
    return new HealthWatch(
        links,
        gateways.stream().map(Samples::ip).toList(),
        new LinkMonitor(runner, Duration.ofSeconds(1)),
        new GatewayMonitor(runner),
        (healthy, cause) -> verdicts.add(healthy + ": " + cause),
        threads);
  }

  @Test
  void theFirstVerdictJudgesWhatTheMonitorsSee() {
    String links = Samples.read("ip-link-show-wan-no-carrier.json");
    FakeCommandRunner runner =
        new FakeCommandRunner(
            argv ->
                argv.get(0).equals("ip")
                    ? FakeCommandRunner.ok(argv, links)
                    : FakeCommandRunner.ok(argv, Samples.read("ping-reply.txt")));

    watch(runner, List.of("fwt-lan", "fwt-wan"), List.of("10.99.1.2")).start(Duration.ofHours(1));

    assertThat(verdicts).containsExactly("false: link fwt-wan down (no carrier)");
  }

  @Test
  void linksThatCannotBeReadCountAsDown() {
    FakeCommandRunner runner =
        new FakeCommandRunner(argv -> new CommandResult(argv, -1, "", "", true));

    watch(runner, List.of("eth0"), List.of()).start(Duration.ofHours(1));

    assertThat(verdicts).singleElement().asString().startsWith("false: link eth0 down (unreadable");
  }
}
