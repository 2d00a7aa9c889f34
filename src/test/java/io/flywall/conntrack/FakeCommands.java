package io.flywall.conntrack;

import io.flywall.network.CommandResult;
import io.flywall.network.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A {@link CommandRunner} that answers from a function and records every command it was given. */
final class FakeCommands implements CommandRunner {
  private Function<List<String>, CommandResult> answers;
  final List<List<String>> commands = new ArrayList<>();

  FakeCommands(Function<List<String>, CommandResult> answers) {
    this.answers = answers;
  }

  void answer(Function<List<String>, CommandResult> answers) {
    this.answers = answers;
  }

  @Override
  public synchronized CommandResult run(List<String> argv, Duration timeout) {
    commands.add(List.copyOf(argv));
    return answers.apply(argv);
  }

  /** The conntrackd client options given, in order: "-c", "-f", ... */
  synchronized List<String> conntrackdOptions() {
    return commands.stream()
        .filter(c -> c.get(0).equals("conntrackd"))
        .map(c -> c.get(c.size() - 1))
        .toList();
  }

  static CommandResult ok(List<String> argv, String stdout) {
    return new CommandResult(argv, 0, stdout, "", false);
  }

  static CommandResult failed(List<String> argv, String stderr) {
    return new CommandResult(argv, 1, "", stderr, false);
  }

  /**
   * {@code ip -j addr show dev NAME} output for one interface with the given addresses
   * ("10.0.0.1/24").
   */
  static String ipAddrJson(String name, String... cidrs) {
    StringBuilder info = new StringBuilder();
    for (String cidr : cidrs) {
      String[] parts = cidr.split("/");
      if (info.length() > 0) {
        info.append(',');
      }
      info.append("{\"family\":\"")
          .append(parts[0].contains(":") ? "inet6" : "inet")
          .append("\",\"local\":\"")
          .append(parts[0])
          .append("\",\"prefixlen\":")
          .append(parts[1])
          .append(",\"scope\":\"global\"}");
    }
    return "[{\"ifindex\":3,\"ifname\":\""
        + name
        + "\",\"flags\":[\"BROADCAST\",\"MULTICAST\",\"UP\",\"LOWER_UP\"],"
        + "\"mtu\":1500,\"operstate\":\"UP\",\"link_type\":\"ether\",\"address\":\"02:99:03:00:00:02\","
        + "\"addr_info\":["
        + info
        + "]}]";
  }
}
