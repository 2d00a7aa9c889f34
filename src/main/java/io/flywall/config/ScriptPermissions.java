package io.flywall.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who may change a failover script. It runs as the daemon's user (root) at every failover, so
 * anyone who can write it can run commands as root: it must be owned by root (or by the user the
 * daemon runs as, when that is not root) and writable by nobody else.
 */
public final class ScriptPermissions {
  private static final int GROUP_OR_OTHERS_WRITE = 0022;

  private ScriptPermissions() {}

  /**
   * What is wrong with {@code script}'s owner or mode, with the commands that fix it; empty when
   * nothing is, and for a missing file (that is reported when the script would run).
   */
  public static Optional<String> problem(Path script) {
    int owner;
    int mode;
    try {
      owner = (Integer) Files.getAttribute(script, "unix:uid");
      mode = (Integer) Files.getAttribute(script, "unix:mode");
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("cannot check who owns script " + script + ": " + e.getMessage());
    }
    boolean trustedOwner = owner == 0 || owner == daemonUid();
    boolean writableByOthers = (mode & GROUP_OR_OTHERS_WRITE) != 0;
    if (trustedOwner && !writableByOthers) {
      return Optional.empty();
    }
    String what =
        !trustedOwner && writableByOthers
            ? "is owned by uid " + owner + " (not root) and writable by its group or others"
            : !trustedOwner
                ? "is owned by uid " + owner + ", not root"
                : "is writable by its group or others (mode "
                    + Integer.toOctalString(mode & 07777)
                    + ")";
    return Optional.of(
        "script "
            + script
            + " "
            + what
            + ": whoever can change it runs commands as root at the next failover; fix it with"
            + " `chown root:root "
            + script
            + "; chmod go-w "
            + script
            + "`");
  }

  /** The user this process runs as: the owner of its own /proc entry; root when unknown. */
  private static int daemonUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
