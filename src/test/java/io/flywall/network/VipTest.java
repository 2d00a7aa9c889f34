package io.flywall.network;

import static io.flywall.network.Samples.ip;
import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class VipTest {

  @Test
  void ipv6AddressesAreWrittenTheWayIprouteWritesThem() {
    assertThat(vip("fd00:1:0:0:0:0:0:100/64", "eth1").cidr()).isEqualTo("fd00:1::100/64");
    assertThat(vip("fd99:1::1/64", "eth1").host()).isEqualTo("fd99:1::1");
    assertThat(vip("::1/128", "lo").host()).isEqualTo("::1");
    assertThat(vip("fd00::/64", "eth1").host()).isEqualTo("fd00::");
    assertThat(vip("1:0:0:2:0:0:0:3/64", "eth1").host())
        .as("the longest zero run is compressed")
        .isEqualTo("1:0:0:2::3");
    assertThat(vip("1:0:2:3:4:5:6:7/64", "eth1").host())
        .as("a single zero group stays")
        .isEqualTo("1:0:2:3:4:5:6:7");
    assertThat(vip("10.0.0.100/24", "eth1").cidr()).isEqualTo("10.0.0.100/24");
  }

  @Property(tries = 500)
  void theCanonicalFormParsesBackToTheSameAddress(@ForAll @Size(16) byte[] raw) throws Exception {
    java.net.InetAddress address = java.net.InetAddress.getByAddress(raw);

    assertThat(ip(Vip.canonical(address))).isEqualTo(address);
    assertThat(Vip.canonical(address)).doesNotContain(":::");
  }

  @Test
  void aPrefixLengthOutsideTheFamilysRangeIsRejected() {
    assertThatThrownBy(() -> new Vip(ip("10.0.0.1"), 33, "eth1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("out of range 0..32");
    assertThatThrownBy(() -> new Vip(ip("fd00::1"), 129, "eth1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Vip(ip("fd00::1"), 64, " "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
