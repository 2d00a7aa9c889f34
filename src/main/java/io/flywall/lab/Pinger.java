package io.flywall.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client's view of an outage: pings a target every few milliseconds (bounded in count) and
 * measures the longest gap between replies by their timestamps, not by sequence numbers: ping slows
 * down while replies are missing, so counting lost sequence numbers understates outages.
 */
public final class Pinger implements AutoCloseable {
  private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)] .*icmp_seq=(\\d+)");

  private final Process process;
  private final List<Double> replies = new ArrayList<>();
  private final Thread reader;
  private final int count;

  private Pinger(Process process, int count) {
    this.process = process;
    this.count = count;
    this.reader = new Thread(this::read, "pinger");
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /**
   * Starts {@code ping} in namespace {@code ns}: {@code count} probes, one per {@code intervalMs}.
   */
  public static Pinger start(String ns, String target, int intervalMs, int count)
      throws IOException {
    String interval = String.format(java.util.Locale.ROOT, "%.3f", intervalMs / 1000.0);
    Process process =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                ns,
                "ping",
                "-D",
                "-n",
                "-i",
                interval,
                "-c",
                Integer.toString(count),
                "-W",
                "1",
                target)
            .redirectErrorStream(true)
            .start();
    return new Pinger(process, count);
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Matcher m = REPLY.matcher(line);
        if (m.find()) {
          synchronized (replies) {
            replies.add(Double.parseDouble(m.group(1)));
          }
        }
      }
    } catch (IOException ignored) {
      // The process ended.
    }
  }

  public int received() {
    synchronized (replies) {
      return replies.size();
    }
  }

  /** Stops pinging (if still running) and returns what was seen. */
  public Outage finish() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
    }
    process.waitFor();
    reader.join(2_000);
    synchronized (replies) {
      return Outage.of(replies, count);
    }
  }

  /** Waits for all probes to be sent and answered (or not), then returns what was seen. */
  public Outage await() throws InterruptedException {
    process.waitFor();
    reader.join(2_000);
    synchronized (replies) {
      return Outage.of(replies, count);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** Replies seen and the longest silence between two of them, in milliseconds. */
  public record Outage(int sent, int received, double longestGapMs) {
    static Outage of(List<Double> timestamps, int sent) {
      double longest = 0;
      for (int i = 1; i < timestamps.size(); i++) {
        longest = Math.max(longest, (timestamps.get(i) - timestamps.get(i - 1)) * 1000.0);
      }
      return new Outage(sent, timestamps.size(), longest);
    }
  }
}
