package io.flywall.chaos;

import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * {@code scripts/chaos [--nodes 3|2] [--minutes M] [--seed S]}: three nodes, or two nodes and a
 * witness; the run's length in minutes (a decimal); the seed (random when absent, always printed).
 */
record ChaosOptions(int nodes, double minutes, OptionalLong seed) {
  static final String USAGE =
      "usage: scripts/chaos [--nodes 3|2] [--minutes M] [--seed S]   (2 nodes: a witness is the third voter)";

  static final class BadOptions extends Exception {
    BadOptions(String message) {
      super(message + "\n" + USAGE);
    }
  }

  static ChaosOptions parse(List<String> args) throws BadOptions {
    int nodes = 3;
    double minutes = 2;
    OptionalLong seed = OptionalLong.empty();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (i + 1 >= args.size()) {
        throw new BadOptions(name + " needs a value");
      }
      String value = args.get(++i);
      try {
        switch (name) {
          case "--nodes" -> nodes = Integer.parseInt(value);
          case "--minutes" -> minutes = Double.parseDouble(value);
          case "--seed" -> seed = OptionalLong.of(Long.parseLong(value));
          default -> throw new BadOptions("unknown option " + name);
        }
      } catch (NumberFormatException e) {
        throw new BadOptions(name + " takes a number, not '" + value + "'");
      }
    }
    if (nodes != 2 && nodes != 3) {
      throw new BadOptions("--nodes must be 3, or 2 (two nodes and a witness), not " + nodes);
    }
    if (!(minutes > 0 && minutes <= 24 * 60)) {
      throw new BadOptions(
          String.format(
              Locale.ROOT, "--minutes must be above 0 and at most 1440, not %s", minutes));
    }
    return new ChaosOptions(nodes, minutes, seed);
  }
}
