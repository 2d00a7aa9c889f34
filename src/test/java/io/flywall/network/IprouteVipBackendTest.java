package io.flywall.network;

import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IprouteVipBackendTest {

  private final FakeKernel kernel =
      new FakeKernel()
          .withInterface("eth1", "02:00:00:00:00:01", "10.0.0.2/24")
          .withInterface("eth2", "02:00:00:00:00:02");
  private final FakeCommandRunner runner = kernel.runner();
  private final VipBackend backend = new IprouteVipBackend(runner, Duration.ofSeconds(2));

  @Test
  void addingAnIpv4VipRunsIpAddrAddAndVerifiesIt() {
    Vip vip = vip("10.0.0.100/24", "eth1");

    backend.add(vip);

    assertThat(runner.commands)
        .containsExactly(
            List.of("ip", "addr", "add", "10.0.0.100/24", "dev", "eth1"),
            List.of("ip", "-j", "addr", "show", "dev", "eth1"));
    assertThat(backend.held(vip)).isTrue();
  }

  @Test
  void anIpv6VipIsAddedWithoutDuplicateAddressDetection() {
    Vip vip = vip("fd00:1::100/64", "eth2");

    backend.add(vip);

    assertThat(runner.commands.get(0))
        .containsExactly("ip", "addr", "add", "fd00:1::100/64", "dev", "eth2", "nodad");
    assertThat(backend.held(vip)).isTrue();
  }

  @Test
  void addingAVipThatIsAlreadyPresentSucceeds() {
    Vip vip = vip("10.0.0.100/24", "eth1");
    backend.add(vip);

    backend.add(vip);

    assertThat(kernel.addressesOf("eth1")).containsExactly("10.0.0.2/24", "10.0.0.100/24");
  }

  @Test
  void removingAVipThatIsAbsentSucceeds() {
    Vip vip = vip("10.0.0.100/24", "eth1");

    backend.remove(vip);
    backend.remove(vip("10.0.0.100/24", "missing0"));

    assertThat(backend.held(vip)).isFalse();
  }

  @Test
  void severalVipsOnSeveralInterfacesAreHeldAndReleasedIndependently() {
    Vip lan = vip("10.0.0.100/24", "eth1");
    Vip lan6 = vip("fd00:1::100/64", "eth1");
    Vip wan = vip("192.0.2.100/24", "eth2");
    List.of(lan, lan6, wan).forEach(backend::add);

    backend.remove(lan6);

    assertThat(backend.held(lan)).isTrue();
    assertThat(backend.held(lan6)).isFalse();
    assertThat(backend.held(wan)).isTrue();
    assertThat(backend.held(vip("10.0.0.100/24", "eth2")))
        .as("same address, other interface")
        .isFalse();
  }

  @Test
  void addingOnAMissingInterfaceFailsWithTheCommandsOwnWords() {
    assertThatThrownBy(() -> backend.add(vip("10.0.0.100/24", "eth9")))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("VIP 10.0.0.100/24 on eth9 was not added")
        .hasMessageContaining("Cannot find device \"eth9\"");
  }

  @Test
  void aVipTheKernelKeepsAfterDeleteIsReportedAsNotRemoved() {
    Vip vip = vip("10.0.0.100/24", "eth1");
    backend.add(vip);
    kernel.ignoreDeletes = true;

    assertThatThrownBy(() -> backend.remove(vip))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("was not removed");
  }

  @Test
  void aVipIsNotHeldOnAnInterfaceThatDoesNotExist() {
    assertThat(backend.held(vip("10.0.0.100/24", "eth9"))).isFalse();
  }

  @Test
  void aFailureToReadTheInterfaceIsAnErrorNotANo() {
    VipBackend broken =
        new IprouteVipBackend(
            new FakeCommandRunner(argv -> new CommandResult(argv, -1, "", "", true)),
            Duration.ofSeconds(1));

    assertThatThrownBy(() -> broken.held(vip("10.0.0.100/24", "eth1")))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("timed out");
  }
}
