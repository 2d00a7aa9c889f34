package io.flywall.cli;

import io.flywall.config.FlywallConfig;
import io.flywall.config.HaConfig;
import io.flywall.config.VirtualIpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The interfaces a config names that this host does not have. Only a warning for {@code config
 * check}, which may run on another machine than the node; {@code run} puts the node in fault until
 * the interface appears.
 */
final class MissingInterfaces {
  private MissingInterfaces() {}

  /** Whether the kernel knows the interface (no process, no netlink: sysfs is enough here). */
  static boolean existsOnThisHost(String name) {
    return !name.isEmpty() && !name.contains("/") && Files.exists(Path.of("/sys/class/net", name));
  }

  /** One warning per missing interface, saying what it is for and what the daemon would do. */
  static List<String> warnings(FlywallConfig config, Predicate<String> exists) {
    List<String> out = new ArrayList<>();
    HaConfig ha = config.replication().ha().orElse(null);
    if (ha == null) {
      return out;
    }
    for (VirtualIpConfig vip : ha.virtualIps()) {
      String name = vip.interfaceName();
      if (!exists.test(name)) {
        out.add(
            "interface "
                + name
                + " (virtual_ip "
                + vip.address()
                + ") does not exist on this host: 'flywall run' here would stay in fault until"
                + " it appears");
      }
    }
    for (String link : ha.monitorLinks()) {
      if (!exists.test(link)) {
        out.add(
            "interface "
                + link
                + " (monitor_links) does not exist on this host: the node would be unhealthy");
      }
    }
    ha.conntrackSync()
        .filter(c -> c.enabled() && !c.interfaceName().isEmpty())
        .filter(c -> !exists.test(c.interfaceName()))
        .ifPresent(
            c ->
                out.add(
                    "interface "
                        + c.interfaceName()
                        + " (conntrack_sync) does not exist on this host"));
    return out.stream().distinct().toList();
  }
}
