package io.flywall.network;

import static io.flywall.network.Samples.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpLinkTest {

  @Test
  void realOutputWithBothVipsHeldShowsThemWithTheirPrefixLengths() {
    List<IpLink> links = IpLink.parse(Samples.read("ip-addr-show-vips-held.json"));

    assertThat(links).hasSize(1);
    IpLink lan = links.get(0);
    assertThat(lan.name()).isEqualTo("fwt-lan");
    assertThat(lan.mac()).contains(MacAddress.of("02:99:01:00:00:02"));
    assertThat(lan.holds(ip("10.99.1.1"), 24)).isTrue();
    assertThat(lan.holds(ip("fd99:1::1"), 64)).isTrue();
    assertThat(lan.holds(ip("fd99:1:0:0:0:0:0:1"), 64))
        .as("any spelling of the same address")
        .isTrue();
    assertThat(lan.holds(ip("10.99.1.1"), 32))
        .as("another prefix length is another address")
        .isFalse();
    assertThat(lan.addresses())
        .filteredOn(IpAddressEntry::secondary)
        .extracting(IpAddressEntry::address)
        .containsExactly(ip("10.99.1.1"));
  }

  @Test
  void realOutputWithoutTheVipDoesNotHoldIt() {
    IpLink lan = IpLink.parse(Samples.read("ip-addr-show-no-vip.json")).get(0);

    assertThat(lan.holds(ip("10.99.1.1"), 24)).isFalse();
    assertThat(lan.holds(ip("10.99.1.3"), 24)).isTrue();
  }

  @Test
  void anAddressStillInOrFailedInDuplicateDetectionIsNotHeld() {
    String json =
        "[{\"ifname\":\"eth1\",\"flags\":[\"UP\"],\"operstate\":\"UP\",\"link_type\":\"ether\","
            + "\"address\":\"aa:bb:cc:dd:ee:ff\",\"addr_info\":["
            + "{\"family\":\"inet6\",\"local\":\"fd00::1\",\"prefixlen\":64,\"tentative\":true},"
            + "{\"family\":\"inet6\",\"local\":\"fd00::2\",\"prefixlen\":64,\"dadfailed\":true,\"tentative\":true}]}]";

    IpLink link = IpLink.parse(json).get(0);

    assertThat(link.holds(ip("fd00::1"), 64)).isFalse();
    assertThat(link.holds(ip("fd00::2"), 64)).isFalse();
    assertThat(link.addresses()).hasSize(2);
  }

  @Test
  void emptyEntriesThatIpPrintsForFilteredInterfacesAreSkipped() {
    assertThat(
            IpLink.parse(
                "[{},{\"ifname\":\"lo\",\"flags\":[],\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\"}]"))
        .singleElement()
        .satisfies(
            link -> {
              assertThat(link.name()).isEqualTo("lo");
              assertThat(link.mac()).as("loopback has no Ethernet address").isEmpty();
            });
    assertThat(IpLink.parse("")).isEmpty();
  }

  @Test
  void malformedOutputIsATypedError() {
    assertThatThrownBy(() -> IpLink.parse("[{\"ifname\":"))
        .isInstanceOf(NetworkCommandException.class)
        .hasMessageContaining("cannot parse iproute2 JSON");
    assertThatThrownBy(() -> IpLink.parse("{}")).isInstanceOf(NetworkCommandException.class);
  }
}
