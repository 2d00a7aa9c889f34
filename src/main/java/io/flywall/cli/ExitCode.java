package io.flywall.cli;

/**
 * The exit statuses of {@code flywall} commands, one per kind of failure so that scripts can tell
 * them apart. {@code flywall ha check} follows the monitoring-plugin convention instead (0 OK, 1
 * WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
final class ExitCode {
  static final int OK = 0;

  /** The command failed for a reason the message gives (not one of the kinds below). */
  static final int FAILED = 1;

  /** Invalid arguments or an invalid config; nothing was done. */
  static final int USAGE = 2;

  /** The daemon's API cannot be reached (not running, wrong --api or config). */
  static final int UNREACHABLE = 3;

  /** The daemon refused the token (HTTP 401/403): missing, wrong, or this address not allowed. */
  static final int NOT_AUTHORIZED = 4;

  /** No such thing (HTTP 404): unknown bucket, key, node or route. */
  static final int NOT_FOUND = 5;

  /** The cluster's state refuses the command (HTTP 409): not primary, no eligible target. */
  static final int CONFLICT = 6;

  /** A bug: the message says so; FLYWALL_DEBUG=1 shows the stack trace. */
  static final int INTERNAL = 70;

  /** An OS tool the config needs is missing; the message names the Debian package. */
  static final int MISSING_TOOL = 127;

  /** The list for help and the man page; one line per status, in picocli's "code:text" form. */
  static final String[] HELP = {
    OK + ":Success.",
    FAILED + ":The command failed; the message says why.",
    USAGE + ":Invalid arguments or an invalid config; nothing was done.",
    UNREACHABLE + ":The daemon's API cannot be reached (is 'flywall run' running? check --api).",
    NOT_AUTHORIZED
        + ":The daemon refused the API token (missing or wrong token file, or this address is"
        + " not in api.allow).",
    NOT_FOUND + ":Not found: no such bucket, key or node.",
    CONFLICT
        + ":Refused by the cluster's state: not the primary, no eligible target, already in"
        + " that state.",
    INTERNAL
        + ":An internal error, which is a bug: set FLYWALL_DEBUG=1 to see the stack trace, and"
        + " report it.",
    MISSING_TOOL + ":An OS tool the config needs is missing; the message names the Debian package."
  };

  private ExitCode() {}

  /** The exit status for an HTTP error status from the API. */
  static int ofHttpStatus(int status) {
    switch (status) {
      case 401:
      case 403:
        return NOT_AUTHORIZED;
      case 404:
        return NOT_FOUND;
      case 409:
        return CONFLICT;
      case 400:
      case 413:
      case 422:
        return USAGE;
      default:
        return FAILED;
    }
  }
}
