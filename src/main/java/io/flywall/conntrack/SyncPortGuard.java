package io.flywall.conntrack;

import io.flywall.network.CommandResult;
import io.flywall.network.CommandRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Keeps each channel's UDP port for its peer: an nftables table of this node drops datagrams to the
 * port unless they come from the peer's address over the sync interface. conntrackd accepts state
 * from any sender, and what it accepts a takeover writes into the kernel's table, where it opens
 * the stateful firewall. The table is replaced whole at start and removed at stop; without nft the
 * ports stay open and the log says so.
 */
public final class SyncPortGuard {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final CommandRunner commands;
  private final List<ConntrackdConf> confs;
  private final Path rulesFile;
  private final String table;

  public SyncPortGuard(CommandRunner commands, List<ConntrackdConf> confs, Path directory) {
    if (confs.isEmpty()) {
      throw new IllegalArgumentException("a guard needs at least one channel");
    }
    this.commands = commands;
    this.confs = List.copyOf(confs);
    this.rulesFile = directory.resolve("sync-ports.nft");
    this.table = "flywall_conntrackd_" + digest(directory.toAbsolutePath().toString());
  }

  /** One table per state directory, so two nodes in one network namespace keep theirs apart. */
  private static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  public String table() {
    return table;
  }

  /** The nft script: creating the table first makes deleting it safe when none is there yet. */
  public String ruleset() {
    StringBuilder out = new StringBuilder();
    out.append("table inet ").append(table).append(" {}\n");
    out.append("delete table inet ").append(table).append('\n');
    out.append("table inet ").append(table).append(" {\n");
    out.append("\tchain input {\n");
    out.append("\t\ttype filter hook input priority -10; policy accept;\n");
    for (ConntrackdConf conf : confs) {
      SyncLink link = conf.link();
      String family = link.ipv4() ? "ip" : "ip6";
      out.append("\t\tudp dport ")
          .append(conf.port())
          .append(" iifname \"")
          .append(link.interfaceName())
          .append("\" ")
          .append(family)
          .append(" saddr ")
          .append(link.peerAddress().getHostAddress())
          .append(' ')
          .append(family)
          .append(" daddr ")
          .append(link.localAddress().getHostAddress())
          .append(" accept\n");
      out.append("\t\tudp dport ").append(conf.port()).append(" drop\n");
    }
    out.append("\t}\n");
    out.append("}\n");
    return out.toString();
  }

  /** Installs the table; empty when done, else why the ports stay open. */
  public Optional<String> install() {
    try {
      Files.createDirectories(rulesFile.getParent());
      Files.writeString(rulesFile, ruleset(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return Optional.of("cannot write " + rulesFile + ": " + e.getMessage());
    }
    CommandResult result = commands.run(List.of("nft", "-f", rulesFile.toString()), TIMEOUT);
    if (!result.ok()) {
      return Optional.of(
          result.exitCode() == 127
              ? "nft not found (install the Debian package nftables)"
              : result.describe());
    }
    return Optional.empty();
  }

  public void remove() {
    commands.run(List.of("nft", "delete", "table", "inet", table), TIMEOUT);
  }
}
