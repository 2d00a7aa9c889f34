package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/config-reference.md, listen_addr without a host. */
class SyncAddressTest {

  @Test
  void withoutPeersTheListenerBindsEveryAddress() {
    assertThat(SyncAddress.towards(List.of()).isAnyLocalAddress()).isTrue();
  }

  @Test
  void withAPeerTheListenerBindsThisHostsAddressTowardsIt() throws Exception {
    InetAddress peer = InetAddress.getByName("127.0.0.7");

    InetAddress bind = SyncAddress.towards(List.of(peer));

    // The kernel reaches any 127/8 address from 127.0.0.1: the loopback interface's own address.
    assertThat(bind).isEqualTo(InetAddress.getByName("127.0.0.1"));
  }
}
