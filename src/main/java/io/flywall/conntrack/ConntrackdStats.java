package io.flywall.conntrack;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * conntrackd's general statistics ({@code conntrackd -s}): connections in the internal cache (this
 * node's own) and the external cache (the peer's), and sync messages exchanged. The message
 * counters are conntrackd's running totals and start again at zero when it restarts.
 */
public record ConntrackdStats(
    long internalEntries,
    long externalEntries,
    long messagesSent,
    long messagesReceived,
    long messagesLost,
    long malformedMessages,
    long sendErrors,
    long receiveErrors) {

  private static final Pattern ACTIVE = Pattern.compile("current active connections:\\s*(\\d+)");
  private static final Pattern PACKETS = Pattern.compile("(\\d+) Pckts sent\\s+(\\d+) Pckts recv");
  private static final Pattern ERRORS = Pattern.compile("(\\d+) Error send\\s+(\\d+) Error recv");
  private static final Pattern TRACKING =
      Pattern.compile("(\\d+) Malformed msgs\\s+(\\d+) Lost msgs");

  /**
   * Parses the output of {@code conntrackd -s}; output of another shape is an error naming what is
   * missing.
   */
  public static ConntrackdStats parse(String output) throws ConntrackSyncException {
    int internal = output.indexOf("cache internal:");
    int external = output.indexOf("cache external:");
    if (internal < 0 || external < 0) {
      throw new ConntrackSyncException(
          "conntrackd -s printed no cache statistics: " + firstLine(output));
    }
    long internalEntries =
        first(ACTIVE, output.substring(internal, external), 1, "internal cache size");
    long externalEntries = first(ACTIVE, output.substring(external), 1, "external cache size");
    return new ConntrackdStats(
        internalEntries,
        externalEntries,
        first(PACKETS, output, 1, "packets sent"),
        first(PACKETS, output, 2, "packets received"),
        first(TRACKING, output, 2, "lost messages"),
        first(TRACKING, output, 1, "malformed messages"),
        first(ERRORS, output, 1, "send errors"),
        first(ERRORS, output, 2, "receive errors"));
  }

  private static long first(Pattern pattern, String text, int group, String what)
      throws ConntrackSyncException {
    Matcher m = pattern.matcher(text);
    if (!m.find()) {
      throw new ConntrackSyncException("conntrackd -s printed no " + what + ": " + firstLine(text));
    }
    return Long.parseLong(m.group(group));
  }

  private static String firstLine(String text) {
    String line = text.strip().lines().findFirst().orElse("(nothing)");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
