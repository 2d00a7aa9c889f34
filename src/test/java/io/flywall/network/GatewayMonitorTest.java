package io.flywall.network;

import static io.flywall.network.Samples.ip;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayMonitorTest {

  @Test
  void aGatewayIsProbedWithOneBoundedEcho() {
    assertThat(GatewayMonitor.command(ip("192.168.1.1")))
        .containsExactly("ping", "-n", "-c", "1", "-W", "1", "192.168.1.1");
  }

  @Test
  void anAnsweringGatewayReportsItsRoundTripTime() {
    GatewayMonitor monitor =
        new GatewayMonitor(
            new FakeCommandRunner(
                argv -> FakeCommandRunner.ok(argv, Samples.read("ping-reply.txt"))));

    GatewayState state = monitor.probe(ip("10.99.1.2"));

    assertThat(state.answered()).isTrue();
    assertThat(state.rtt()).contains(Duration.ofNanos(113_000));
  }

  @Test
  void aSilentOrUnreachableGatewayIsNotAnswered() {
    GatewayMonitor monitor =
        new GatewayMonitor(
            new FakeCommandRunner(
                argv ->
                    argv.contains("10.99.1.99")
                        ? FakeCommandRunner.failed(argv, 1, Samples.read("ping-no-reply.txt"), "")
                        : FakeCommandRunner.failed(
                            argv, 2, "", "ping: connect: Network is unreachable")));

    assertThat(monitor.probeAll(List.of(ip("10.99.1.99"), ip("192.0.2.1"))))
        .allSatisfy(
            state -> {
              assertThat(state.answered()).isFalse();
              assertThat(state.rtt()).isEmpty();
            });
  }
}
