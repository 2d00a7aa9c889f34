package io.flywall.lab;

import io.flywall.testing.FlywallProcess;
import io.flywall.testing.ProcessLogs;
import java.nio.file.Path;
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
}
