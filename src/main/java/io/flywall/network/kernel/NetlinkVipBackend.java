package io.flywall.network.kernel;

import io.flywall.network.MissingInterfaceException;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.Vip;
import io.flywall.network.VipBackend;
import io.flywall.network.kernel.LinkMessage.KernelLink;

/**
 * {@link VipBackend} on rtnetlink: RTM_NEWADDR / RTM_DELADDR, each verified afterwards with an
 * RTM_GETADDR dump. Adding a present VIP (EEXIST) and removing an absent one (EADDRNOTAVAIL) are
 * success, as with {@code ip}. A VIP whose interface does not exist cannot be added (the error says
 * so) and is not held, so removing it succeeds.
 */
public final class NetlinkVipBackend implements VipBackend {

  private final Rtnetlink rtnetlink;

  public NetlinkVipBackend(Rtnetlink rtnetlink) {
    this.rtnetlink = rtnetlink;
  }

  @Override
  public void add(Vip vip) {
    KernelLink link =
        rtnetlink.link(vip.interfaceName()).orElseThrow(() -> new MissingInterfaceException(vip));
    rtnetlink.addAddress(vip, link.index());
    if (!held(vip, link.index())) {
      throw new NetworkCommandException(
          "VIP " + vip + " was added but is not usable (duplicate address detection failed?)");
    }
  }

  @Override
  public void remove(Vip vip) {
    var link = rtnetlink.link(vip.interfaceName());
    if (link.isEmpty()) {
      return; // no interface, no address: already released
    }
    rtnetlink.removeAddress(vip, link.get().index());
    if (held(vip, link.get().index())) {
      throw new NetworkCommandException("VIP " + vip + " is still present after removing it");
    }
  }

  @Override
  public boolean held(Vip vip) {
    return rtnetlink.link(vip.interfaceName()).map(link -> held(vip, link.index())).orElse(false);
  }

  private boolean held(Vip vip, int ifindex) {
    return rtnetlink.addresses().stream().anyMatch(a -> a.is(vip, ifindex) && a.usable());
  }
}
