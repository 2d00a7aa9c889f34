package io.flywall.network.kernel;

import io.flywall.network.Vip;
import io.flywall.network.kernel.AddressMessage.KernelAddress;
import io.flywall.network.kernel.LinkMessage.KernelLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Addresses and interfaces through rtnetlink requests, one at a time on one socket (what {@code ip
 * addr add|del} and {@code ip -j addr show} do, without a process). A socket that fails is closed
 * and a fresh one opened on the next request, so one bad moment does not end the plane.
 */
public final class Rtnetlink implements AutoCloseable {

  private final Libc libc;
  private final NetNamespace namespace;
  private NetlinkSocket socket;

  private Rtnetlink(Libc libc, NetNamespace namespace, NetlinkSocket socket) {
    this.libc = libc;
    this.namespace = namespace;
    this.socket = socket;
  }

  /** Opens the socket now, so a node that cannot use rtnetlink learns it at start. */
  public static Rtnetlink open(NetNamespace namespace) {
    Libc libc = Libc.load();
    return new Rtnetlink(libc, namespace, NetlinkSocket.open(libc, namespace, 0));
  }

  static Rtnetlink open(Libc libc, NetNamespace namespace) {
    return new Rtnetlink(libc, namespace, NetlinkSocket.open(libc, namespace, 0));
  }

  Libc libc() {
    return libc;
  }

  NetNamespace namespace() {
    return namespace;
  }

  /** The interface {@code name}, or empty when it does not exist. */
  public Optional<KernelLink> link(String name) {
    try {
      return exchange(
              LinkMessage.RTM_GETLINK,
              NetlinkMessage.NLM_F_ACK,
              LinkMessage.getByName(name),
              "cannot read interface " + name)
          .stream()
          .filter(m -> m.type() == LinkMessage.RTM_NEWLINK)
          .map(m -> LinkMessage.parse(m.payload()))
          .flatMap(Optional::stream)
          .findFirst();
    } catch (KernelException e) {
      if (!e.socketFault() && (e.errno() == Libc.ENODEV || e.errno() == Libc.ENOENT)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Every interface of the namespace. */
  public List<KernelLink> links() {
    List<KernelLink> links = new ArrayList<>();
    for (NetlinkMessage m :
        exchange(
            LinkMessage.RTM_GETLINK,
            NetlinkMessage.NLM_F_DUMP,
            LinkMessage.dumpAll(),
            "cannot list interfaces")) {
      if (m.type() == LinkMessage.RTM_NEWLINK) {
        LinkMessage.parse(m.payload()).ifPresent(links::add);
      }
    }
    return links;
  }

  /** Every IPv4 and IPv6 address of every interface. */
  public List<KernelAddress> addresses() {
    List<KernelAddress> addresses = new ArrayList<>();
    for (NetlinkMessage m :
        exchange(
            AddressMessage.RTM_GETADDR,
            NetlinkMessage.NLM_F_DUMP,
            AddressMessage.dumpAll(),
            "cannot list addresses")) {
      if (m.type() == AddressMessage.RTM_NEWADDR) {
        AddressMessage.parse(m.payload()).ifPresent(addresses::add);
      }
    }
    return addresses;
  }

  /** Adds {@code vip} to interface {@code ifindex}; already present is success (EEXIST). */
  public void addAddress(Vip vip, int ifindex) {
    exchange(
        AddressMessage.RTM_NEWADDR,
        NetlinkMessage.NLM_F_ACK | NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL,
        AddressMessage.add(vip, ifindex),
        "cannot add VIP " + vip,
        Libc.EEXIST);
  }

  /** Removes {@code vip} from interface {@code ifindex}; already absent is success. */
  public void removeAddress(Vip vip, int ifindex) {
    exchange(
        AddressMessage.RTM_DELADDR,
        NetlinkMessage.NLM_F_ACK,
        AddressMessage.remove(vip, ifindex),
        "cannot remove VIP " + vip,
        Libc.EADDRNOTAVAIL,
        Libc.ENOENT);
  }

  private synchronized List<NetlinkMessage> exchange(
      int type, int flags, byte[] payload, String what, int... accepted) {
    if (socket == null) {
      socket = NetlinkSocket.open(libc, namespace, 0);
    }
    try {
      return socket.exchange(type, flags, payload, what, accepted);
    } catch (KernelException e) {
      if (e.socketFault()) {
        socket.close();
        socket = null;
      }
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
