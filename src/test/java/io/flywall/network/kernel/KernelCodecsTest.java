package io.flywall.network.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.network.LinkState;
import io.flywall.network.MacAddress;
import io.flywall.network.Vip;
import io.flywall.network.kernel.AddressMessage.KernelAddress;
import io.flywall.network.kernel.LinkMessage.KernelLink;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What reaches the kernel and what we read back, byte by byte. Netlink is in host byte order; the
 * expectations are little-endian, the order of every machine Flywall runs on (x86-64, arm64).
 */
class KernelCodecsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final MacAddress OWN = MacAddress.of("02:99:01:00:00:03");

  @BeforeAll
  static void littleEndian() {
    assertThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void anIpv4VipIsAddedWithLocalAndAddressAttributesLikeIpAddrAdd() throws Exception {
    Vip vip = new Vip(InetAddress.getByName("10.99.1.1"), 24, "fwt-lan");
    byte[] message =
        new NetlinkMessage(
                AddressMessage.RTM_NEWADDR,
                NetlinkMessage.NLM_F_REQUEST
                    | NetlinkMessage.NLM_F_ACK
                    | NetlinkMessage.NLM_F_CREATE
                    | NetlinkMessage.NLM_F_EXCL,
                7,
                0,
                AddressMessage.add(vip, 3))
            .encode();

    assertThat(HEX.formatHex(message))
        .isEqualTo(
            "28000000"
                + "1400"
                + "0506"
                + "07000000"
                + "00000000" // nlmsghdr
                + "02180000"
                + "03000000" // ifaddrmsg: AF_INET, /24, no flags, scope 0, index 3
                + "08000200"
                + "0a630101" // IFA_LOCAL
                + "08000100"
                + "0a630101"); // IFA_ADDRESS
  }

  @Test
  void anIpv6VipIsAddedWithNodadInTheHeaderAndInIfaFlags() throws Exception {
    Vip vip = new Vip(InetAddress.getByName("fd99:1::1"), 64, "fwt-lan");
    String address = "fd990001000000000000000000000001";

    assertThat(HEX.formatHex(AddressMessage.add(vip, 3)))
        .isEqualTo(
            "0a400200"
                + "03000000" // AF_INET6, /64, IFA_F_NODAD, scope 0, index 3
                + "14000200"
                + address
                + "14000100"
                + address
                + "08000800"
                + "02000000"); // IFA_FLAGS = IFA_F_NODAD
  }

  @Test
  void aVipIsRemovedByItsLocalAddressAndPrefix() throws Exception {
    Vip vip = new Vip(InetAddress.getByName("10.99.1.1"), 24, "fwt-lan");

    assertThat(HEX.formatHex(AddressMessage.remove(vip, 5)))
        .isEqualTo("02180000" + "05000000" + "08000200" + "0a630101");
  }

  @Test
  void aDumpedAddressIsReadWithItsExtendedFlagsAndATentativeOneIsNotUsable() throws Exception {
    byte[] payload =
        HEX.parseHex(
            "0a400000"
                + "03000000"
                + "14000100"
                + "fd990001000000000000000000000001"
                + "08000800"
                + "40000000"); // IFA_FLAGS: tentative, beyond the 8-bit header field

    KernelAddress address = AddressMessage.parse(payload).orElseThrow();

    assertThat(address.address()).isEqualTo(InetAddress.getByName("fd99:1::1"));
    assertThat(address.prefixLength()).isEqualTo(64);
    assertThat(address.ifindex()).isEqualTo(3);
    assertThat(address.usable()).isFalse();
    assertThat(address.is(new Vip(address.address(), 64, "x"), 3)).isTrue();
    assertThat(address.is(new Vip(address.address(), 64, "x"), 4)).isFalse();
    assertThat(address.is(new Vip(address.address(), 128, "x"), 3)).isFalse();
  }

  @Test
  void aDumpDatagramWithSeveralMessagesIsSplitAndATruncatedTailIsDropped() {
    byte[] one = new NetlinkMessage(20, 2, 9, 100, HEX.parseHex("020800fe01000000")).encode();
    byte[] done = new NetlinkMessage(NetlinkMessage.NLMSG_DONE, 2, 9, 100, new byte[4]).encode();
    byte[] datagram = new byte[one.length + done.length + 10];
    System.arraycopy(one, 0, datagram, 0, one.length);
    System.arraycopy(done, 0, datagram, one.length, done.length);
    datagram[one.length + done.length] = 0x40; // a header claiming 64 bytes that are not there

    List<NetlinkMessage> messages = NetlinkMessage.decode(datagram, datagram.length);

    assertThat(messages).extracting(NetlinkMessage::type).containsExactly(20, 3);
    assertThat(messages.get(0).sequence()).isEqualTo(9);
    assertThat(messages.get(0).port()).isEqualTo(100);
    assertThat(HEX.formatHex(messages.get(0).payload())).isEqualTo("020800fe01000000");
  }

  @Test
  void anErrorCarriesItsErrnoAndTheKernelsExtendedMessage() {
    byte[] payload =
        HEX.parseHex(
            "eaffffff" // -22: EINVAL
                + "28000000140005060700000000000000" // the request's header (capped)
                + "1d000100"
                + HEX.formatHex("prefix length is invalid\0".getBytes())
                + "000000"); // padding
    NetlinkMessage error =
        new NetlinkMessage(
            NetlinkMessage.NLMSG_ERROR,
            NetlinkMessage.NLM_F_CAPPED | NetlinkMessage.NLM_F_ACK_TLVS,
            7,
            0,
            payload);

    assertThat(error.errno()).isEqualTo(22);
    assertThat(error.extendedMessage()).isEqualTo("prefix length is invalid");
    assertThat(new NetlinkMessage(2, 0, 7, 0, HEX.parseHex("00000000")).errno()).isZero();
  }

  @Test
  void aLinkIsAskedForByNameAndReadWithIndexFlagsOperstateAndMac() {
    assertThat(HEX.formatHex(LinkMessage.getByName("fwt-lan")))
        .isEqualTo(
            "00000000" + "00000000" + "00000000" + "00000000" + "0c000300" + "6677742d6c616e00");

    byte[] payload =
        HEX.parseHex(
            "00000100"
                + "03000000"
                + "43000100"
                + "00000000" // ether, index 3, UP|RUNNING|LOWER_UP
                + "0c000300"
                + "6677742d6c616e00"
                + "0a000100"
                + "029901000002"
                + "0000"
                + "05001000"
                + "06000000"); // IFLA_OPERSTATE up

    KernelLink link = LinkMessage.parse(payload).orElseThrow();

    assertThat(link.index()).isEqualTo(3);
    assertThat(link.name()).isEqualTo("fwt-lan");
    assertThat(link.mac()).contains(MacAddress.of("02:99:01:00:00:02"));
    assertThat(link.state()).isEqualTo(LinkState.up("fwt-lan"));
  }

  @Test
  void aLinkIsDownWhenAdministrativelyDownWithoutCarrierOrInAnotherOperstate() {
    assertThat(new KernelLink(3, "a", 0x1002, 2, Optional.empty()).state())
        .isEqualTo(LinkState.down("a", "administratively down"));
    assertThat(new KernelLink(3, "a", 0x1003, 2, Optional.empty()).state())
        .isEqualTo(LinkState.down("a", "no carrier"));
    assertThat(new KernelLink(3, "a", 0x10043, 5, Optional.empty()).state())
        .isEqualTo(LinkState.down("a", "operstate dormant"));
    assertThat(new KernelLink(3, "a", 0x10043, 0, Optional.empty()).state())
        .as("drivers without operstate report unknown")
        .isEqualTo(LinkState.up("a"));
  }

  @Test
  void attributeTypesIgnoreTheNestedAndByteOrderBits() {
    byte[] data = HEX.parseHex("0800" + "0380" + "01020304" + "0500" + "0100" + "ff000000");

    var attributes = RtAttributes.parse(data, 0);

    assertThat(HEX.formatHex(attributes.get(3))).isEqualTo("01020304");
    assertThat(HEX.formatHex(attributes.get(1))).isEqualTo("ff");
  }

  @Test
  void theNetlinkSocketAddressNamesTheGroups() {
    assertThat(HEX.formatHex(NetlinkSocket.address(NetlinkSocket.RTMGRP_LINK)))
        .isEqualTo("1000" + "0000" + "00000000" + "01000000");
  }

  @Test
  void aGratuitousArpIsARequestFromTheVipForTheVipWithAZeroTargetMac() throws Exception {
    byte[] packet =
        ArpPacket.gratuitous(OWN, (Inet4Address) InetAddress.getByName("10.99.1.1")).encode();

    assertThat(HEX.formatHex(packet))
        .isEqualTo(
            "0001"
                + "0800"
                + "06"
                + "04"
                + "0001" // Ethernet, IPv4, request
                + "029901000003"
                + "0a630101" // sender: our MAC, the VIP
                + "000000000000"
                + "0a630101"); // target: unknown MAC, the VIP
  }

  @Test
  void anArpProbeAsksFromTheUnspecifiedAddressSoItTeachesNobodyOurMac() throws Exception {
    byte[] packet =
        ArpPacket.probe(OWN, (Inet4Address) InetAddress.getByName("10.99.1.1")).encode();

    assertThat(HEX.formatHex(packet))
        .isEqualTo(
            "000108000604" + "0001" + "029901000003" + "00000000" + "000000000000" + "0a630101");
  }

  @Test
  void anArpReplyIsDecodedAndAnythingElseIsNot() throws Exception {
    byte[] reply =
        HEX.parseHex(
            "000108000604" + "0002" + "029901000002" + "0a630101" + "029901000003" + "00000000");

    ArpPacket packet = ArpPacket.decode(reply, reply.length).orElseThrow();

    assertThat(packet.operation()).isEqualTo(ArpPacket.REPLY);
    assertThat(packet.senderMac()).isEqualTo(MacAddress.of("02:99:01:00:00:02"));
    assertThat(packet.senderIp()).isEqualTo(InetAddress.getByName("10.99.1.1"));
    assertThat(ArpPacket.decode(reply, 27)).isEmpty();
    reply[1] = 6; // token ring
    assertThat(ArpPacket.decode(reply, reply.length)).isEmpty();
  }

  @Test
  void thePacketSocketAddressBroadcastsArpOnTheInterface() {
    assertThat(HEX.formatHex(ArpSocket.linkAddress(3, ArpPacket.BROADCAST)))
        .isEqualTo("1100" + "0806" + "03000000" + "0100" + "00" + "06" + "ffffffffffff" + "0000");
  }

  @Test
  void anUnsolicitedAdvertisementOverridesCachesAndCarriesOurMac() throws Exception {
    Inet6Address vip = (Inet6Address) InetAddress.getByName("fd99:1::1");

    assertThat(HEX.formatHex(NeighborDiscovery.advertisement(vip, OWN, true)))
        .isEqualTo(
            "88"
                + "00"
                + "0000" // type 136, code 0, checksum left to the kernel
                + "a0000000" // Router + Override, not Solicited
                + "fd990001000000000000000000000001"
                + "02"
                + "01"
                + "029901000003"); // target link-layer address option
    assertThat(HEX.formatHex(NeighborDiscovery.advertisement(vip, OWN, false)).substring(8, 16))
        .isEqualTo("20000000");
  }

  @Test
  void aSolicitationGoesToTheSolicitedNodeGroupWithOurMacAsSourceOption() throws Exception {
    Inet6Address vip = (Inet6Address) InetAddress.getByName("fd99:1::12:3456");

    assertThat(HEX.formatHex(NeighborDiscovery.solicitation(vip, OWN)))
        .isEqualTo(
            "87000000" + "00000000" + "fd990001000000000000000000123456" + "0101029901000003");
    assertThat(NeighborDiscovery.solicitedNode(vip))
        .isEqualTo(InetAddress.getByName("ff02::1:ff12:3456"));
  }

  @Test
  void anAdvertisementIsDecodedWithItsTargetMacAndAMalformedOptionEndsTheOptions()
      throws Exception {
    byte[] na =
        HEX.parseHex(
            "88001234"
                + "60000000"
                + "fd990001000000000000000000000001"
                + "0101aabbccddeeff" // a source option first, ignored
                + "0201029901000002");

    var decoded = NeighborDiscovery.decodeAdvertisement(na, na.length).orElseThrow();

    assertThat(decoded.target()).isEqualTo(InetAddress.getByName("fd99:1::1"));
    assertThat(decoded.mac()).contains(MacAddress.of("02:99:01:00:00:02"));
    na[25] = 0; // zero-length first option
    assertThat(NeighborDiscovery.decodeAdvertisement(na, na.length).orElseThrow().mac()).isEmpty();
    na[0] = (byte) 135;
    assertThat(NeighborDiscovery.decodeAdvertisement(na, na.length)).isEmpty();
  }

  @Test
  void theIcmpv6FilterPassesAdvertisementsOnly() {
    byte[] filter = Icmpv6Socket.advertisementsOnly();

    assertThat(HEX.formatHex(filter))
        .isEqualTo("ff".repeat(16) + "fffeffff" + "ff".repeat(12)); // bit 136 (word 4, bit 8) clear
  }

  @Test
  void theIcmpv6SocketAddressScopesTheDestinationToTheInterface() throws Exception {
    assertThat(HEX.formatHex(Icmpv6Socket.socketAddress(NeighborDiscovery.ALL_NODES, 3)))
        .isEqualTo("0a00" + "0000" + "00000000" + "ff020000000000000000000000000001" + "03000000");
  }
}
