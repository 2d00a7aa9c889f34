package io.flywall.network.kernel;

import io.flywall.network.Announcer;
import io.flywall.network.MacAddress;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.Vip;
import io.flywall.network.kernel.LinkMessage.KernelLink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Announcer} on raw sockets: gratuitous ARP requests from an AF_PACKET socket for IPv4 VIPs,
 * unsolicited Neighbour Advertisements (Override set, target link-layer option) to ff02::1 from a
 * raw ICMPv6 socket for IPv6 VIPs. A burst goes out back to back in well under a millisecond: the
 * announcement schedule, not pacing inside a burst, covers a neighbour that missed it.
 */
public final class KernelAnnouncer implements Announcer, AutoCloseable {

  private final Rtnetlink rtnetlink;
  // Sockets stay open per interface; one whose interface was re-created (new index) is replaced.
  private final Map<String, ArpSocket> arpSockets = new HashMap<>();
  private final Map<String, Icmpv6Socket> icmpSockets = new HashMap<>();

  public KernelAnnouncer(Rtnetlink rtnetlink) {
    this.rtnetlink = rtnetlink;
  }

  @Override
  public synchronized void announce(Collection<Vip> vips, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    eachInterface(vips, count);
  }

  /**
   * Opens the ARP and ICMPv6 sockets of every interface of {@code vips} and builds each packet once
   * without sending it: a backup's first takeover then neither opens sockets (JNA's first calls of
   * a kind cost tens of milliseconds on a busy machine) nor runs the encoders for the first time.
   */
  @Override
  public synchronized void prepare(Collection<Vip> vips) {
    eachInterface(vips, 0);
  }

  /** Every interface is tried; failures are reported together. */
  private void eachInterface(Collection<Vip> vips, int count) {
    List<String> failures = new ArrayList<>();
    KernelException socketFault = null;
    for (Map.Entry<String, List<Vip>> entry : byInterface(vips).entrySet()) {
      try {
        announce(entry.getKey(), entry.getValue(), count);
      } catch (KernelException e) {
        failures.add(e.getMessage());
        socketFault = e.socketFault() ? e : socketFault;
      } catch (NetworkCommandException e) {
        failures.add(e.getMessage());
      }
    }
    if (socketFault != null) {
      // A broken socket, not a refused request: the caller may carry it out another way.
      throw KernelException.combined(String.join("; ", failures), socketFault);
    }
    if (!failures.isEmpty()) {
      throw new NetworkCommandException(String.join("; ", failures));
    }
  }

  private static Map<String, List<Vip>> byInterface(Collection<Vip> vips) {
    Map<String, List<Vip>> byInterface = new LinkedHashMap<>();
    vips.forEach(
        v -> byInterface.computeIfAbsent(v.interfaceName(), k -> new ArrayList<>()).add(v));
    return byInterface;
  }

  /** Sends every packet {@code count} times; with a count of 0 opens and builds, sending none. */
  private void announce(String ifname, List<Vip> vips, int count) {
    KernelLink link =
        rtnetlink
            .link(ifname)
            .orElseThrow(
                () ->
                    new NetworkCommandException(
                        "cannot announce on " + ifname + ": the interface does not exist"));
    MacAddress mac =
        link.mac()
            .orElseThrow(
                () ->
                    new NetworkCommandException(
                        "cannot announce on " + ifname + ": it has no Ethernet address"));
    List<Vip> v4 = vips.stream().filter(v -> !v.ipv6()).toList();
    List<Vip> v6 = vips.stream().filter(Vip::ipv6).toList();
    if (!v4.isEmpty()) {
      ArpSocket socket = arpSocket(ifname, link.index());
      List<ArpPacket> packets =
          v4.stream().map(vip -> ArpPacket.gratuitous(mac, (Inet4Address) vip.address())).toList();
      if (count == 0) {
        packets.forEach(ArpPacket::encode);
      }
      try {
        for (int i = 0; i < count; i++) {
          for (ArpPacket packet : packets) {
            socket.broadcast(packet);
          }
        }
      } catch (KernelException e) {
        arpSockets.remove(ifname).close();
        throw e;
      }
    }
    if (!v6.isEmpty()) {
      boolean router = forwarding(ifname);
      Icmpv6Socket socket = icmpSocket(ifname, link.index());
      List<byte[]> packets =
          v6.stream()
              .map(
                  vip -> NeighborDiscovery.advertisement((Inet6Address) vip.address(), mac, router))
              .toList();
      try {
        for (int i = 0; i < count; i++) {
          for (byte[] packet : packets) {
            socket.send(packet, NeighborDiscovery.ALL_NODES);
          }
        }
      } catch (KernelException e) {
        icmpSockets.remove(ifname).close();
        throw e;
      }
    }
  }

  private ArpSocket arpSocket(String ifname, int ifindex) {
    ArpSocket socket = arpSockets.get(ifname);
    if (socket != null && socket.ifindex() != ifindex) {
      arpSockets.remove(ifname).close();
      socket = null;
    }
    if (socket == null) {
      socket = ArpSocket.sender(rtnetlink.libc(), rtnetlink.namespace(), ifindex, ifname);
      arpSockets.put(ifname, socket);
    }
    return socket;
  }

  private Icmpv6Socket icmpSocket(String ifname, int ifindex) {
    Icmpv6Socket socket = icmpSockets.get(ifname);
    if (socket != null && socket.ifindex() != ifindex) {
      icmpSockets.remove(ifname).close();
      socket = null;
    }
    if (socket == null) {
      socket = Icmpv6Socket.sender(rtnetlink.libc(), rtnetlink.namespace(), ifindex, ifname);
      icmpSockets.put(ifname, socket);
    }
    return socket;
  }

  @Override
  public synchronized void close() {
    arpSockets.values().forEach(ArpSocket::close);
    icmpSockets.values().forEach(Icmpv6Socket::close);
    arpSockets.clear();
    icmpSockets.clear();
  }

  /**
   * Whether the node routes IPv6 on {@code ifname}: a gateway VIP must advertise itself as a
   * router, or hosts drop it from their default router list (RFC 4861 7.2.5).
   */
  private boolean forwarding(String ifname) {
    return rtnetlink
        .namespace()
        .inside(
            rtnetlink.libc(),
            () -> {
              try {
                return Files.readString(Path.of("/proc/sys/net/ipv6/conf", ifname, "forwarding"))
                    .strip()
                    .equals("1");
              } catch (IOException e) {
                return false;
              }
            });
  }
}
