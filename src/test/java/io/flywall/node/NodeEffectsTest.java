package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.config.ConfigLoader;
import io.flywall.config.HaConfig;
import io.flywall.network.NetworkFeature;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeEffectsTest {

  private static HaConfig advanced() throws Exception {
    return new ConfigLoader(() -> "fw1")
        .load(
            Path.of(
                System.getProperty("flywall.project.dir", "."), "examples/advanced-primary.hcl"))
        .config()
        .replication()
        .ha()
        .orElseThrow();
  }

  @Test
  void withTheFallbackPlaneEveryToolOfTheConfigIsNeeded() throws Exception {
    assertThat(NodeEffects.features(advanced(), false))
        .contains(
            NetworkFeature.VIP_IPV4,
            NetworkFeature.GRATUITOUS_ARP,
            NetworkFeature.ARP_PING_IPV4,
            NetworkFeature.LINK_MONITOR,
            NetworkFeature.GATEWAY_MONITOR);
  }

  @Test
  void withTheNativePlaneOnlyTheGatewayMonitorAndConntrackdNeedTools() throws Exception {
    assertThat(NodeEffects.features(advanced(), true))
        .isNotEmpty()
        .isSubsetOf(NetworkFeature.GATEWAY_MONITOR, NetworkFeature.CONNTRACK_SYNC)
        .contains(NetworkFeature.GATEWAY_MONITOR);
  }
}
