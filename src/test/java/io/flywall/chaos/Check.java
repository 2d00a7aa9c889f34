package io.flywall.chaos;

import java.util.List;

/** One rule over a recorded history; pure, so each can be shown to fail on a made-up history. */
interface Check {
  String name();

  List<Violation> check(History history, Bounds bounds);

  /** The checks every run is judged by, in the order the issue names them. */
  static List<Check> all() {
    return List.of(
        new VipHolderCheck(),
        new ElectionCheck(),
        new WriteCheck(),
        new OutageCheck(),
        new CrashCheck(),
        new ResourceCheck());
  }
}
