package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.api.ApiModel.ClusterInfo;
import io.flywall.api.ApiModel.ClusterNode;
import io.flywall.config.ConfigLoader;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.VipGroup;
import io.flywall.testing.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN 10.1: the cluster view lists every configured peer, also those never heard. */
class ClusterViewTest {
  @TempDir Path dir;

  @Test
  void configuredPeersThatWereNeverHeardAreListedAsNotAliveWithTheirConfiguredAddress()
      throws Exception {
    int heartbeat = FreePorts.udpOnAll(java.util.List.of("127.0.0.1"), System.nanoTime());
    int api = FreePorts.tcp();
    String text =
        """
        replication {
          mode = "replica"
          node_id = "n1"
          listen_addr = "127.0.0.1:%d"
          peer_addrs = ["127.0.0.2:9001", "127.0.0.3:9001"]
          secret_key = "cluster-view-test-secret-0123456789"
          state_dir = "%s"
          ha {
            priority = 50
            heartbeat_interval = "100ms"
            heartbeat_port = %d
          }
        }
        api {
          listen = "127.0.0.1:%d"
        }
        """
            .formatted(FreePorts.tcp(), dir.resolve("n1"), heartbeat, api);
    var config = new ConfigLoader(() -> "unused").parse("n1.hcl", text).config();
    try (Daemon daemon =
        Daemon.start(
            config,
            Clock.systemUTC(),
            new Daemon.Effects(
                VipGroup.none(), FailoverScripts.none(), new ProcessCommandRunner()))) {
      String json =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + "/api/ha/cluster"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      ClusterInfo cluster =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .setPropertyNamingStrategy(
                  com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
              .readValue(json, ClusterInfo.class);
      assertThat(cluster.nodes()).hasSize(3);
      assertThat(cluster.nodes().get(0).nodeId()).isEqualTo("n1");
      assertThat(cluster.nodes().subList(1, 3))
          .extracting(ClusterNode::address)
          .containsExactly("127.0.0.2:" + heartbeat, "127.0.0.3:" + heartbeat);
      assertThat(cluster.nodes().subList(1, 3))
          .allSatisfy(
              n -> {
                assertThat(n.nodeId()).isNull();
                assertThat(n.alive()).isFalse();
              });
      assertThat(json).contains("\"node_id\":null");
    }
  }
}
