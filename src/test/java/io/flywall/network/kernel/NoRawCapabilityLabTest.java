package io.flywall.network.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.lab.NetLab;
import io.flywall.network.CommandResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The plane opened by a real process without CAP_NET_RAW (dropped with capsh), in a lab node. */
@Tag("netns")
class NoRawCapabilityLabTest {

  @Test
  void withoutCapNetRawTheNodeKeepsNativeVipsAndLinksAndSaysWhatFellBack() throws Exception {
    NetLab.unavailableReason().ifPresent(reason -> Assumptions.abort("skipped: " + reason));
    try (NetLab lab = NetLab.up(2)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> argv =
          List.of(
              "capsh",
              "--drop=cap_net_raw",
              "--",
              "-c",
              "exec "
                  + java
                  + " -cp '"
                  + System.getProperty("java.class.path")
                  + "' "
                  + PlaneReport.class.getName());

      CommandResult withoutRaw = lab.in(lab.get("NS_N1")).run(argv, Duration.ofSeconds(60));
      CommandResult withRaw =
          lab.in(lab.get("NS_N1"))
              .run(
                  List.of(
                      java,
                      "-cp",
                      System.getProperty("java.class.path"),
                      PlaneReport.class.getName()),
                  Duration.ofSeconds(60));

      assertThat(withoutRaw.ok()).as(withoutRaw.describe()).isTrue();
      assertThat(withoutRaw.stdout())
          .contains("native pieces: 2")
          .contains("alarm native_network_unavailable: raw sockets cannot be opened")
          .contains("EPERM");
      assertThat(withRaw.stdout()).contains("native pieces: 4").doesNotContain("alarm");
    }
  }
}
