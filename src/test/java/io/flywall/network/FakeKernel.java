package io.flywall.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Answers the iproute2 commands this package sends the way iproute2 6.1 does, from an in-memory
 * table of interfaces, so backend logic is tested without root.
 */
final class FakeKernel {

  private final Map<String, Set<String>> addresses = new LinkedHashMap<>();
  private final Map<String, String> macs = new LinkedHashMap<>();

  /** When set, "ip addr del" answers success but leaves the address (a kernel that refuses). */
  boolean ignoreDeletes;

  FakeKernel withInterface(String name, String mac, String... cidrs) {
    macs.put(name, mac);
    addresses.put(name, new LinkedHashSet<>(List.of(cidrs)));
    return this;
  }

  Set<String> addressesOf(String name) {
    return addresses.get(name);
  }

  FakeCommandRunner runner() {
    return new FakeCommandRunner(this::answer);
  }

  private CommandResult answer(List<String> argv) {
    if (argv.subList(0, Math.min(3, argv.size())).equals(List.of("ip", "-j", "addr"))) {
      return show(argv);
    }
    if (argv.size() >= 6 && argv.subList(0, 2).equals(List.of("ip", "addr"))) {
      String ifname = argv.get(5);
      String cidr = argv.get(3);
      Set<String> present = addresses.get(ifname);
      if (present == null) {
        return FakeCommandRunner.failed(argv, 1, "", "Cannot find device \"" + ifname + "\"");
      }
      if (argv.get(2).equals("add")) {
        return present.add(normal(cidr))
            ? FakeCommandRunner.ok(argv, "")
            : FakeCommandRunner.failed(argv, 2, "", "Error: ipv4: Address already assigned.");
      }
      if (ignoreDeletes) {
        return FakeCommandRunner.ok(argv, "");
      }
      return present.remove(normal(cidr))
          ? FakeCommandRunner.ok(argv, "")
          : FakeCommandRunner.failed(argv, 2, "", "Error: ipv4: Address not found.");
    }
    return FakeCommandRunner.failed(argv, 127, "", "fake kernel does not know " + argv);
  }

  private CommandResult show(List<String> argv) {
    List<String> names =
        argv.size() > 5 ? List.of(argv.get(5)) : new ArrayList<>(addresses.keySet());
    for (String name : names) {
      if (!addresses.containsKey(name)) {
        return FakeCommandRunner.failed(argv, 1, "", "Device \"" + name + "\" does not exist.");
      }
    }
    return FakeCommandRunner.ok(
        argv, names.stream().map(this::json).collect(Collectors.joining(",", "[", "]")));
  }

  private String json(String name) {
    String infos =
        addresses.get(name).stream()
            .map(
                cidr -> {
                  String[] parts = cidr.split("/");
                  String family = parts[0].contains(":") ? "inet6" : "inet";
                  return "{\"family\":\""
                      + family
                      + "\",\"local\":\""
                      + parts[0]
                      + "\",\"prefixlen\":"
                      + parts[1]
                      + "}";
                })
            .collect(Collectors.joining(","));
    return "{\"ifname\":\""
        + name
        + "\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
        + "\"operstate\":\"UP\",\"link_type\":\"ether\",\"address\":\""
        + macs.get(name)
        + "\",\"addr_info\":["
        + infos
        + "]}";
  }

  private static String normal(String cidr) {
    String[] parts = cidr.split("/");
    return Samples.ip(parts[0]).getHostAddress() + "/" + parts[1];
  }
}
