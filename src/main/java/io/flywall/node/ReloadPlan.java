package io.flywall.node;

import io.flywall.config.ApiConfig;
import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.ReplicationConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload would change between the running config and the one just read: the settings that
 * take effect live, and those that cannot (named, so the operator knows what needs a restart). A
 * reload with any of the latter changes nothing at all.
 */
record ReloadPlan(
    List<String> refused,
    List<String> changes,
    boolean controller,
    boolean vips,
    boolean monitors,
    boolean scripts) {

  /** The ha attributes that take effect without a restart, by group. */
  private static final Set<String> CONTROLLER =
      Set.of("priority", "failbackMode", "failbackDelay", "failbackWindow");

  private static final Set<String> VIPS = Set.of("virtualIps");
  private static final Set<String> MONITORS = Set.of("monitorLinks", "monitorGateways");
  private static final Set<String> SCRIPTS =
      Set.of("preFailoverScript", "postFailoverScript", "scriptTimeout");

  ReloadPlan {
    refused = List.copyOf(refused);
    changes = List.copyOf(changes);
  }

  boolean changesAnything() {
    return !changes.isEmpty();
  }

  static ReloadPlan between(FlywallConfig running, FlywallConfig next) {
    List<String> refused = new ArrayList<>();
    List<String> changes = new ArrayList<>();
    ReplicationConfig a = running.replication();
    ReplicationConfig b = next.replication();
    for (RecordComponent c : ReplicationConfig.class.getRecordComponents()) {
      if (!c.getName().equals("ha") && !Objects.equals(value(c, a), value(c, b))) {
        refused.add(name(c));
      }
    }
    for (RecordComponent c : ApiConfig.class.getRecordComponents()) {
      if (!Objects.equals(value(c, running.api()), value(c, next.api()))) {
        refused.add("api." + name(c));
      }
    }
    boolean controller = false;
    boolean vips = false;
    boolean monitors = false;
    boolean scripts = false;
    HaConfig ha = a.ha().orElse(null);
    HaConfig nextHa = b.ha().orElse(null);
    if (ha == null || nextHa == null || ha.enabled() != nextHa.enabled()) {
      if (!Objects.equals(ha, nextHa)) {
        refused.add("ha");
      }
    } else {
      for (RecordComponent c : HaConfig.class.getRecordComponents()) {
        Object before = value(c, ha);
        Object after = value(c, nextHa);
        if (Objects.equals(before, after)) {
          continue;
        }
        String name = c.getName();
        if (CONTROLLER.contains(name)) {
          controller = true;
        } else if (VIPS.contains(name)) {
          vips = true;
        } else if (MONITORS.contains(name)) {
          monitors = true;
        } else if (SCRIPTS.contains(name)) {
          scripts = true;
        } else {
          refused.add(name(c));
          continue;
        }
        changes.add(name(c) + " " + show(before) + " -> " + show(after));
      }
      // arp_ping of a VIP decides whether the controller probes before it claims.
      controller |= vips;
    }
    return new ReloadPlan(refused, changes, controller, vips, monitors, scripts);
  }

  private static Object value(RecordComponent component, Object record) {
    try {
      return component.getAccessor().invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component.getName(), e);
    }
  }

  /** The config's own spelling: heartbeatPort -> heartbeat_port. */
  static String name(RecordComponent component) {
    return component.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase();
  }

  private static String show(Object value) {
    String text = String.valueOf(value);
    if (value instanceof java.time.Duration d) {
      text = d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    } else if (value instanceof java.util.Optional<?> o) {
      text = o.map(String::valueOf).orElse("(none)");
    } else if (value instanceof List<?> list) {
      text = list.stream().map(ReloadPlan::showItem).toList().toString();
    }
    return text.length() > 120 ? text.substring(0, 117) + "..." : text;
  }

  private static String showItem(Object item) {
    if (item instanceof io.flywall.config.VirtualIpConfig v) {
      return v.address() + " on " + v.interfaceName();
    }
    if (item instanceof java.net.InetAddress address) {
      return address.getHostAddress();
    }
    return String.valueOf(item);
  }
}
