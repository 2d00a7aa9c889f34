package io.flywall.conntrack;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The configuration of one conntrackd channel: FTFW (reliable, acknowledged) sync with one peer
 * over unicast UDP on the sync link, a cache of at most {@code maxEntries}, and files under the
 * channel's own directory. {@link #text()} renders it in conntrackd.conf(5) syntax.
 */
public record ConntrackdConf(
    SyncLink link,
    int port,
    int maxEntries,
    Duration syncInterval,
    ConntrackdFiles files,
    List<InetAddress> ignoredAddresses) {

  /** conntrackd's default sync port. */
  public static final int DEFAULT_PORT = 3780;

  /** sun_path of a unix socket holds 108 bytes with the terminating NUL. */
  static final int MAX_SOCKET_PATH = 107;

  public ConntrackdConf {
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(syncInterval, "syncInterval");
    Objects.requireNonNull(files, "files");
    ignoredAddresses = List.copyOf(ignoredAddresses);
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
    }
  }

  /**
   * The configuration of the channel over {@code link} on {@code port}. The sync traffic between
   * any two members of the cluster ({@code clusterAddresses}) and loopback are not synced.
   */
  public static ConntrackdConf of(
      SyncLink link,
      int port,
      int maxEntries,
      Duration syncInterval,
      ConntrackdFiles files,
      Collection<InetAddress> clusterAddresses)
      throws ConntrackSyncException {
    requireToken(
        "conntrack_sync.interface " + escaped(link.interfaceName()),
        link.interfaceName(),
        "use an interface whose name has none");
    for (Path path : List.of(files.log(), files.lock(), files.socket())) {
      requireToken(
          "the conntrackd file " + escaped(path.toAbsolutePath().toString()) + " (under state_dir)",
          path.toAbsolutePath().toString(),
          "choose a state_dir without them");
    }
    int socketBytes = files.socket().toString().getBytes(StandardCharsets.UTF_8).length;
    if (socketBytes > MAX_SOCKET_PATH) {
      throw new ConntrackSyncException(
          "conntrackd's control socket path "
              + files.socket()
              + " is "
              + socketBytes
              + " bytes, more than a unix socket allows ("
              + MAX_SOCKET_PATH
              + "); use a shorter state_dir");
    }
    Set<InetAddress> ignored = new LinkedHashSet<>();
    ignored.add(link.localAddress());
    ignored.add(link.peerAddress());
    ignored.addAll(clusterAddresses);
    return new ConntrackdConf(link, port, maxEntries, syncInterval, files, List.copyOf(ignored));
  }

  /**
   * conntrackd.conf has no quoting or escapes: a value is one token up to the next space, quote or
   * line break, so a value holding one of those (or a brace, a '#' or any control character) would
   * be cut short or smuggle in directives of its own. Such values are refused, never written.
   */
  static void requireToken(String what, String value, String remedy) throws ConntrackSyncException {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c == 0x7f || c == '"' || c == '#' || c == '{' || c == '}') {
        throw new ConntrackSyncException(
            what
                + " cannot be written into conntrackd.conf: it contains "
                + (c == ' '
                    ? "a space"
                    : c < ' ' || c == 0x7f ? "a control character" : "'" + c + "'")
                + ", which conntrackd's config syntax cannot carry; "
                + remedy);
      }
    }
  }

  /** {@code value} in quotes with control characters and quotes shown as escapes, for a message. */
  static String escaped(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c < ' ' || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /**
   * conntrackd commits its cache in steps of this many hash buckets (its built-in CommitSteps).
   * conntrackd 1.4.7 finishes a commit that fits in one step without clearing its "commit in
   * progress" mark, and then refuses every flush ({@code -f}) for the rest of its life; a table
   * with more buckets than one step never takes that path.
   */
  static final int COMMIT_STEP_BUCKETS = 8192;

  /**
   * Buckets of conntrackd's hash table: a power of two near a quarter of the limit, so chains stay
   * short at a full cache without allocating a bucket per entry; always more than one commit step.
   */
  public int hashSize() {
    int target = Math.max(2 * COMMIT_STEP_BUCKETS, maxEntries / 4);
    int size = Integer.highestOneBit(target);
    return size < target ? Math.min(size << 1, 1 << 20) : Math.min(size, 1 << 20);
  }

  /**
   * Seconds after a release at which the kernel purges the connections this node no longer owns.
   */
  public long purgeSeconds() {
    return 60;
  }

  public String text() {
    String family = link.ipv4() ? "IPv4" : "IPv6";
    StringBuilder out = new StringBuilder();
    out.append(
        "# Written by flywall from the conntrack_sync block; rewritten at every start, do not edit.\n");
    out.append("Sync {\n");
    out.append("\tMode FTFW {\n");
    // Ask the peer for its whole table at start, so a restarted backup is complete at once.
    out.append("\t\tStartupResync on\n");
    out.append("\t\tResendQueueSize ").append(Math.max(maxEntries, 1024)).append('\n');
    out.append("\t\tPurgeTimeout ").append(purgeSeconds()).append('\n');
    out.append("\t}\n");
    out.append("\tUDP {\n");
    out.append("\t\t")
        .append(family)
        .append("_address ")
        .append(link.localAddress().getHostAddress())
        .append('\n');
    out.append("\t\t")
        .append(family)
        .append("_Destination_Address ")
        .append(link.peerAddress().getHostAddress())
        .append('\n');
    out.append("\t\tPort ").append(port).append('\n');
    out.append("\t\tInterface ").append(link.interfaceName()).append('\n');
    out.append("\t\tSndSocketBuffer 1249280\n");
    out.append("\t\tRcvSocketBuffer 1249280\n");
    out.append("\t\tChecksum on\n");
    out.append("\t}\n");
    out.append("}\n");
    out.append("General {\n");
    out.append("\tSystemd off\n");
    out.append("\tHashSize ").append(hashSize()).append('\n');
    out.append("\tHashLimit ").append(maxEntries).append('\n');
    out.append("\tLogFile ").append(files.log().toAbsolutePath()).append('\n');
    out.append("\tSyslog off\n");
    out.append("\tLockFile ").append(files.lock().toAbsolutePath()).append('\n');
    out.append("\tUNIX {\n");
    out.append("\t\tPath ").append(files.socket().toAbsolutePath()).append('\n');
    out.append("\t}\n");
    out.append("\tNetlinkBufferSize 2097152\n");
    out.append("\tNetlinkBufferSizeMaxGrowth 8388608\n");
    out.append("\tFilter From Kernelspace {\n");
    out.append("\t\tAddress Ignore {\n");
    out.append("\t\t\tIPv4_address 127.0.0.0/8\n");
    out.append("\t\t\tIPv6_address ::1\n");
    out.append(
        ignoredAddresses.stream()
            .map(
                a ->
                    "\t\t\t"
                        + (a instanceof java.net.Inet4Address ? "IPv4" : "IPv6")
                        + "_address "
                        + a.getHostAddress()
                        + "\n")
            .collect(Collectors.joining()));
    out.append("\t\t}\n");
    out.append("\t}\n");
    out.append("}\n");
    return out.toString();
  }
}
