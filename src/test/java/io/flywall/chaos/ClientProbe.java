package io.flywall.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client pinging the server through the VIPs every few milliseconds, bounded in count; each
 * reply kept with its sequence number and the time ping stamped on it.
 */
final class ClientProbe implements AutoCloseable {
  private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)] .*icmp_seq=(\\d+)");

  private final Process ping;
  private final List<History.Reply> replies = new ArrayList<>();
  private final Thread reader;

  private ClientProbe(Process ping, HistoryLog log) {
    this.ping = ping;
    this.reader = new Thread(() -> read(log), "client-probe");
    reader.setDaemon(true);
    reader.start();
  }

  static ClientProbe start(String ns, String target, long intervalMs, long count, HistoryLog log)
      throws IOException {
    Process ping =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "ping",
                "-D",
                "-n",
                "-W",
                "1",
                "-i",
                String.format(Locale.ROOT, "%.3f", intervalMs / 1000.0),
                "-c",
                Long.toString(count),
                target)
            .redirectErrorStream(true)
            .start();
    return new ClientProbe(ping, log);
  }

  private void read(HistoryLog log) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(ping.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Matcher m = REPLY.matcher(line);
        if (m.find()) {
          String fraction = (m.group(2) + "000").substring(0, 3);
          long epochMs = Long.parseLong(m.group(1)) * 1000 + Long.parseLong(fraction);
          synchronized (replies) {
            replies.add(new History.Reply(Integer.parseInt(m.group(3)), log.sinceStart(epochMs)));
          }
        }
      }
    } catch (IOException ended) {
      // ping was stopped.
    }
  }

  /** Stops pinging and returns every reply. */
  List<History.Reply> finish() throws InterruptedException {
    ping.destroy();
    ping.waitFor();
    reader.join(2_000);
    synchronized (replies) {
      return List.copyOf(replies);
    }
  }

  @Override
  public void close() {
    ping.destroyForcibly();
  }
}
