package io.flywall.network;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Raises {@code vip_interface_missing} when the interface of a VIP this node holds disappears (a
 * VLAN deleted, a NIC unplugged): the VIP went with it and clients cannot reach it, which nothing
 * else would say while the node goes on believing it holds the VIP. Cleared once every held VIP's
 * interface exists again or nothing is held. The node checks on every link event and periodically
 * (the iproute2 fallback has no events).
 */
public final class VipInterfaceWatch {
  private final Supplier<List<VipGroup.VipState>> vips;
  private final LinkObserver links;
  private final NetworkAlarms alarms;
  // Only what this watch raised is its to clear: a claim that failed raises the same alarm.
  private boolean raised;

  public VipInterfaceWatch(
      Supplier<List<VipGroup.VipState>> vips, LinkObserver links, NetworkAlarms alarms) {
    this.vips = vips;
    this.links = links;
    this.alarms = alarms;
  }

  public synchronized void check() {
    List<VipGroup.VipState> held = vips.get().stream().filter(VipGroup.VipState::held).toList();
    List<String> gone = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    if (!held.isEmpty()) {
      List<String> names = held.stream().map(VipGroup.VipState::interfaceName).distinct().toList();
      List<LinkState> states;
      try {
        states = links.observe(names);
      } catch (NetworkCommandException e) {
        // Links unreadable: link_events_failed already says so; nothing is known to be gone.
        return;
      }
      for (LinkState state : states) {
        if (!state.up() && state.reason().equals(LinkState.MISSING)) {
          missing.add(state.name());
          for (VipGroup.VipState vip : held) {
            if (vip.interfaceName().equals(state.name())) {
              gone.add(vip.address() + " on " + vip.interfaceName());
            }
          }
        }
      }
    }
    if (!gone.isEmpty()) {
      raised = true;
      // The cause starts as the health watch's does ("interface X missing (virtual_ip)"), which
      // puts the node in fault for the same interface: one cause, said the same way in both.
      alarms.raise(
          NetworkAlarms.VIP_INTERFACE_MISSING,
          missing.stream()
                  .map(name -> "interface " + name + " missing (virtual_ip)")
                  .collect(java.util.stream.Collectors.joining(", "))
              + ": held VIP "
              + String.join(", ", gone)
              + " went with it and clients cannot reach it; the node goes to fault and gives the"
              + " role up until the interface is back (recreate it, or fix the virtual_ip's"
              + " interface and reload)");
    } else if (raised) {
      raised = false;
      alarms.clear(
          NetworkAlarms.VIP_INTERFACE_MISSING,
          held.isEmpty() ? "no VIP is held" : "every held VIP's interface exists");
    }
  }
}
