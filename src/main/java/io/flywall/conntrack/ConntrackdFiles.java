package io.flywall.conntrack;

import java.net.InetAddress;
import java.nio.file.Path;

/**
 * Where the conntrackd paired with one peer keeps its files: {@code
 * state_dir/conntrackd/PEER-ADDRESS/}, so the channels of one node, and two nodes on one machine
 * (network namespaces, tests), never share a control socket, lock or pid file.
 */
public record ConntrackdFiles(Path directory) {

  /** The parent of every channel's directory. */
  public static Path root(Path stateDir) {
    return stateDir.resolve("conntrackd");
  }

  public static ConntrackdFiles forPeer(Path stateDir, InetAddress peer) {
    return new ConntrackdFiles(root(stateDir).resolve(peer.getHostAddress()));
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

  /**
   * The pid of the conntrackd this node started, written at its start and removed when it is
   * stopped: a daemon killed with SIGKILL leaves it behind, and the next start finds the orphan.
   */
  public Path pid() {
    return directory.resolve("conntrackd.pid");
  }

  /** conntrackd's stdout and stderr: start-up errors land here before its log file is open. */
  public Path output() {
    return directory.resolve("conntrackd.out");
  }
}
