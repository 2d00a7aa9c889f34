package io.flywall.network;

import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NeighborProbeTest {

  /** Captured on node n2 (MAC ...:03) of a lab while n1 (MAC ...:02) held the VIPs. */
  private static final String N2_LAN = Samples.read("ip-addr-show-no-vip.json");

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static FakeCommandRunner answering(Function<List<String>, CommandResult> tool) {
    return new FakeCommandRunner(
        argv -> argv.get(0).equals("ip") ? FakeCommandRunner.ok(argv, N2_LAN) : tool.apply(argv));
  }

  @Test
  void theCommandsAreBoundedToAboutASecond() {
    assertThat(NeighborProbe.command(vip("10.99.1.1/24", "fwt-lan")))
        .containsExactly("arping", "-c", "2", "-w", "1", "-I", "fwt-lan", "10.99.1.1");
    assertThat(NeighborProbe.command(vip("fd99:1::1/64", "fwt-lan")))
        .containsExactly("ndisc6", "-n", "-1", "-r", "2", "-w", "500", "fd99:1::1", "fwt-lan");
  }

  @Test
  void anArpReplyNamesTheMacThatStillAnswersForTheVip() {
    // arping exits 1 here: one reply to two probes.
    NeighborProbe probe =
        new NeighborProbe(
            answering(
                argv -> FakeCommandRunner.failed(argv, 1, Samples.read("arping-reply.txt"), "")),
            CLOCK);

    ProbeAnswer answer = probe.probe(vip("10.99.1.1/24", "fwt-lan"));

    assertThat(answer.answeredBy()).contains(MacAddress.of("02:99:01:00:00:02"));
  }

  @Test
  void aNeighbourAdvertisementNamesTheMacThatStillAnswersForTheVip() {
    NeighborProbe probe =
        new NeighborProbe(
            answering(argv -> FakeCommandRunner.ok(argv, Samples.read("ndisc6-reply.txt"))), CLOCK);

    assertThat(probe.probe(vip("fd99:1::1/64", "fwt-lan")).answeredBy())
        .contains(MacAddress.of("02:99:01:00:00:02"));
  }

  @Test
  void silenceMeansNobodyAnswers() {
    NeighborProbe probe =
        new NeighborProbe(
            answering(
                argv ->
                    argv.get(0).equals("arping")
                        ? FakeCommandRunner.failed(argv, 1, Samples.read("arping-no-reply.txt"), "")
                        : FakeCommandRunner.failed(
                            argv, 2, Samples.read("ndisc6-no-reply.txt"), "")),
            CLOCK);

    assertThat(
            probe.probeAll(List.of(vip("10.99.1.1/24", "fwt-lan"), vip("fd99:1::1/64", "fwt-lan"))))
        .hasSize(2)
        .allSatisfy(answer -> assertThat(answer.answeredBy()).isEmpty());
  }

  @Test
  void ourOwnMacIsNotAnAnswer() {
    String ownReply =
        "ARPING 10.99.1.1 from 10.99.1.3 fwt-lan\n"
            + "Unicast reply from 10.99.1.1 [02:99:01:00:00:03]  0.500ms\n"
            + "Unicast reply from 10.99.1.1 [02:99:01:00:00:0A]  0.600ms\n";
    NeighborProbe probe =
        new NeighborProbe(answering(argv -> FakeCommandRunner.ok(argv, ownReply)), CLOCK);

    ProbeAnswer answer = probe.probe(vip("10.99.1.1/24", "fwt-lan"));

    assertThat(answer.answerers()).containsExactly(MacAddress.of("02:99:01:00:00:0a"));
  }

  @Test
  void aProbeThatCannotRunIsAnErrorNotSilence() {
    NeighborProbe probe =
        new NeighborProbe(
            answering(
                argv ->
                    FakeCommandRunner.failed(argv, 2, "", "arping: Device fwt-lan not available.")),
            CLOCK);

    assertThatThrownBy(() -> probe.probe(vip("10.99.1.1/24", "fwt-lan")))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("not available");
    assertThatThrownBy(() -> probe.probeAll(List.of(vip("10.99.1.1/24", "fwt-lan"))))
        .isInstanceOf(NetworkCommandException.class);
  }

  @Test
  void probingOnAMissingInterfaceIsAnError() {
    NeighborProbe probe =
        new NeighborProbe(
            new FakeCommandRunner(
                argv -> FakeCommandRunner.failed(argv, 1, "", "Device \"eth9\" does not exist.")),
            CLOCK);

    assertThatThrownBy(() -> probe.probe(vip("10.99.1.1/24", "eth9")))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("eth9 does not exist");
  }
}
