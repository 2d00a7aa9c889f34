package io.flywall.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which nodes' kernels hold the LAN VIP, from the kernel's own address events in each node's
 * namespace ({@code ip -ts monitor address}): every change with its time, rather than samples.
 */
final class VipWatch implements AutoCloseable {
  private static final Pattern EVENT =
      Pattern.compile("^\\[([0-9T:.-]+)] (Deleted )?\\d+: \\S+\\s+inet (\\S+)/");

  private final List<Process> monitors = new ArrayList<>();

  /** Starts one monitor per node namespace; {@code namespaces.get(k - 1)} is node k's. */
  static VipWatch start(List<String> namespaces, String vip, HistoryLog log) throws IOException {
    VipWatch watch = new VipWatch();
    for (int k = 1; k <= namespaces.size(); k++) {
      Process monitor =
          new ProcessBuilder("ip", "-n", namespaces.get(k - 1), "-ts", "-o", "monitor", "address")
              .redirectErrorStream(true)
              .start();
      watch.monitors.add(monitor);
      int node = k;
      Thread reader = new Thread(() -> read(monitor, node, vip, log), "vip-watch-n" + k);
      reader.setDaemon(true);
      reader.start();
    }
    return watch;
  }

  private static void read(Process monitor, int node, String vip, HistoryLog log) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        Matcher m = EVENT.matcher(line);
        if (m.find() && m.group(3).equals(vip)) {
          long epochMs =
              LocalDateTime.parse(m.group(1))
                  .atZone(ZoneId.systemDefault())
                  .toInstant()
                  .toEpochMilli();
          log.vip(new History.VipChange(log.sinceStart(epochMs), node, m.group(2) == null));
        }
      }
    } catch (IOException ended) {
      // The monitor was stopped.
    }
  }

  @Override
  public void close() {
    monitors.forEach(Process::destroy);
  }
}
