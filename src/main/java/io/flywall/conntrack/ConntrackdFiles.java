package io.flywall.conntrack;

import java.nio.file.Path;

/**
 * Where one node's conntrackd keeps its files: all under {@code state_dir}, so two nodes on one
 * machine (network namespaces, tests) never share a control socket or lock file.
 */
public record ConntrackdFiles(Path directory) {

  public static ConntrackdFiles under(Path stateDir) {
    return new ConntrackdFiles(stateDir.resolve("conntrackd"));
  }

  public Path config() {
    return directory.resolve("conntrackd.conf");
  }

  public Path socket() {
    return directory.resolve("conntrackd.ctl");
  }

  public Path lock() {
    return directory.resolve("conntrackd.lock");
  }

  public Path log() {
    return directory.resolve("conntrackd.log");
  }

  /** conntrackd's stdout and stderr: start-up errors land here before its log file is open. */
  public Path output() {
    return directory.resolve("conntrackd.out");
  }
}
