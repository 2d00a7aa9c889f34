package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressSyntaxTest {

  @Test
  void hostPortAcceptsIpv4HostnameIpv6AndAnyAddress() {
    assertThat(HostPort.parse("10.0.0.1:9001")).isEqualTo(new HostPort("10.0.0.1", 9001));
    assertThat(HostPort.parse("fw-2.example.net:9001"))
        .isEqualTo(new HostPort("fw-2.example.net", 9001));
    assertThat(HostPort.parse("[::1]:9001")).isEqualTo(new HostPort("::1", 9001));
    assertThat(HostPort.parse(":9001")).isEqualTo(new HostPort("", 9001));
    assertThat(HostPort.parse(":9001").anyHost()).isTrue();
  }

  @Test
  void hostPortPrintsInTheFormItIsParsedFrom() {
    for (String text : new String[] {"10.0.0.1:9001", "[fd00::1]:9001", ":9001", "host:1"}) {
      assertThat(HostPort.parse(text)).hasToString(text);
    }
  }

  @Test
  void hostPortRejectsMalformedAddressesWithAReason() {
    assertThatThrownBy(() -> HostPort.parse("10.0.0.1")).hasMessageContaining("has no port");
    assertThatThrownBy(() -> HostPort.parse("::1:9001")).hasMessageContaining("needs brackets");
    assertThatThrownBy(() -> HostPort.parse("[::1:9001")).hasMessageContaining("[address]:port");
    assertThatThrownBy(() -> HostPort.parse("[10.0.0.1]:9001"))
        .hasMessageContaining("only for IPv6");
    assertThatThrownBy(() -> HostPort.parse("10.0.0.256:9001"))
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> HostPort.parse("bad_host:9001"))
        .hasMessageContaining("neither an IP address nor a host name");
    assertThatThrownBy(() -> HostPort.parse("host:")).hasMessageContaining("port must be a number");
    assertThatThrownBy(() -> HostPort.parse("host:0")).hasMessageContaining("between 1 and 65535");
    assertThatThrownBy(() -> HostPort.parse("host:99999"))
        .hasMessageContaining("between 1 and 65535");
    assertThatThrownBy(() -> HostPort.parse("host:-1"))
        .hasMessageContaining("port must be a number");
  }

  @Test
  void cidrKeepsHostBitsAndDefaultsToASingleHost() throws Exception {
    Cidr vip = Cidr.parse("10.0.0.100/24");
    assertThat(vip.address()).isEqualTo(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}));
    assertThat(vip.prefixLength()).isEqualTo(24);
    assertThat(vip).hasToString("10.0.0.100/24");
    assertThat(Cidr.parse("10.0.0.1").prefixLength()).isEqualTo(32);
    assertThat(Cidr.parse("fd00::1").prefixLength()).isEqualTo(128);
    assertThat(Cidr.parse("FD00:0:0:0::1/64")).hasToString("fd00::1/64");
  }

  @Test
  void cidrContainsAddressesOfItsPrefixOnly() {
    Cidr net = Cidr.parse("192.168.10.0/23");
    assertThat(net.contains(IpLiteral.parse("192.168.11.200"))).isTrue();
    assertThat(net.contains(IpLiteral.parse("192.168.12.1"))).isFalse();
    assertThat(net.contains(IpLiteral.parse("::1"))).isFalse();
    assertThat(Cidr.parse("::1/128").contains(IpLiteral.parse("::1"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(IpLiteral.parse("8.8.8.8"))).isTrue();
  }

  @Test
  void cidrRejectsBadPrefixesAndAddresses() {
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/33")).hasMessageContaining("between 0 and 32");
    assertThatThrownBy(() -> Cidr.parse("fd00::/129")).hasMessageContaining("between 0 and 128");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.1/")).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> Cidr.parse("example.com/24"))
        .hasMessageContaining("not an address/prefix");
  }

  @Test
  void ipLiteralsParseWithoutLookupsAndRejectNames() {
    assertThat(IpLiteral.parse("1.2.3.4").getAddress()).containsExactly(1, 2, 3, 4);
    assertThat(IpLiteral.parse("::ffff:1.2.3.4").getAddress())
        .hasSize(4); // the JDK maps it to IPv4
    assertThat(IpLiteral.parse("2001:db8::8:800:200c:417a").getAddress()).hasSize(16);
    assertThat(IpLiteral.parse("1:2:3:4:5:6:7:8").getAddress()).hasSize(16);
    for (String bad :
        new String[] {
          "localhost",
          "1.2.3",
          "1.2.3.4.5",
          "01.2.3.4",
          "256.1.1.1",
          "1::2::3",
          "1:2:3:4:5:6:7:8:9",
          "12345::",
          "fe80::1%eth0",
          "",
          ":::"
        }) {
      assertThatThrownBy(() -> IpLiteral.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void ipv6IsPrintedInCanonicalShortForm() {
    assertThat(IpLiteral.format(IpLiteral.parse("0:0:0:0:0:0:0:1"))).isEqualTo("::1");
    assertThat(IpLiteral.format(IpLiteral.parse("2001:db8:0:0:1:0:0:1")))
        .isEqualTo("2001:db8::1:0:0:1");
    assertThat(IpLiteral.format(IpLiteral.parse("2001:db8:0:1:1:1:1:1")))
        .isEqualTo("2001:db8:0:1:1:1:1:1");
    assertThat(IpLiteral.format(IpLiteral.parse("::"))).isEqualTo("::");
    assertThat(IpLiteral.format(IpLiteral.parse("fe80::"))).isEqualTo("fe80::");
  }
}
