package io.flywall.network;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Alarms the network plane raises about itself (its native part could not start, a socket broke, a
 * VIP's interface vanished), kept until cleared and told to listeners as they change, so the node
 * shows them where every other alarm is. Thread-safe.
 */
public final class NetworkAlarms {

  /** The native plane (or a piece of it) could not start or broke; the fallback is in use. */
  public static final String NATIVE_NETWORK_UNAVAILABLE = "native_network_unavailable";

  /** A native socket failed mid-run; the call was carried out by the fallback. */
  public static final String NATIVE_NETWORK_FAULT = "native_network_fault";

  /** A monitored link or a VIP's interface cannot be read; it counts as down. */
  public static final String LINK_EVENTS_FAILED = "link_events_failed";

  /** A VIP could not be claimed because its interface does not exist. */
  public static final String VIP_INTERFACE_MISSING = "vip_interface_missing";

  /** A listener to raised ({@code raised=true}) and cleared alarms. */
  public interface Listener {
    void alarm(String name, String detail, boolean raised);
  }

  private final Map<String, String> raised = new LinkedHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  public void listen(Listener listener) {
    listeners.add(listener);
    raised().forEach((name, detail) -> listener.alarm(name, detail, true));
  }

  public void raise(String name, String detail) {
    synchronized (this) {
      if (detail.equals(raised.get(name))) {
        return;
      }
      raised.put(name, detail);
    }
    listeners.forEach(l -> l.alarm(name, detail, true));
  }

  public void clear(String name, String detail) {
    synchronized (this) {
      if (raised.remove(name) == null) {
        return;
      }
    }
    listeners.forEach(l -> l.alarm(name, detail, false));
  }

  /** The raised alarms, name to detail, in the order raised. */
  public synchronized Map<String, String> raised() {
    return new LinkedHashMap<>(raised);
  }
}
