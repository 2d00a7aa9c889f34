package io.flywall.lab;

import io.flywall.testing.FlywallProcess;
import io.flywall.testing.ProcessLogs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared set-up of the end-to-end lab tests: skip without root, fresh log directories under
 * target/.
 */
final class LabTestSupport {
  private LabTestSupport() {}

  static void assumeLab() {
    NetLab.unavailableReason().ifPresent(reason -> Assumptions.abort("skipped: " + reason));
  }

  static LabCluster cluster(NetLab lab, String name, LabCluster.Settings settings)
      throws Exception {
    Path dir = ProcessLogs.freshDirectory("lab-" + name);
    return new LabCluster(lab, dir, FlywallProcess.javaCommand(), settings);
  }

  /**
   * Starts {@link StateLoad} inside node k's namespace against its own API: {@code count} writes of
   * {@code prefix}N to {@code bucket} on {@code threads} threads, acknowledged keys to {@code
   * acks}.
   */
  static Process load(
      NetLab lab,
      LabCluster cluster,
      int k,
      String bucket,
      String prefix,
      int count,
      int threads,
      Path acks)
      throws Exception {
    Path project = Path.of(System.getProperty("flywall.project.dir", "."));
    List<String> command =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                lab.nodeNamespace(k),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m",
                "-cp",
                FlywallProcess.jar() + ":" + project.resolve("target/test-classes"),
                StateLoad.class.getName(),
                "http://127.0.0.1:8080",
                cluster.tokenFile(k).toString(),
                bucket,
                prefix,
                Integer.toString(count),
                Integer.toString(threads),
                acks.toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(acks.resolveSibling(prefix + "load.log").toFile())
        .start();
  }
}
