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

  /**
   * The control socket: beside the other files when the path fits a unix socket address (107
   * bytes), else under /run/flywall with a name derived from the directory, still one per node.
   */
  public Path socket() {
    Path beside = directory.toAbsolutePath().resolve("conntrackd.ctl");
    if (beside.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
        <= ConntrackdConf.MAX_SOCKET_PATH) {
      return beside;
    }
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(beside.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return Path.of(
          "/run/flywall",
          "conntrackd-" + java.util.HexFormat.of().formatHex(digest, 0, 8) + ".ctl");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
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
