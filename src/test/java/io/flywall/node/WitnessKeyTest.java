package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flywall.config.ConfigLoader;
import io.flywall.config.FlywallConfig;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.VipGroup;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN 10.4: the witness takes its own key, never the cluster's secret; a node the reverse. */
class WitnessKeyTest {
  @TempDir Path dir;

  private FlywallConfig config(String keyLine) throws Exception {
    return new ConfigLoader(() -> "unused")
        .parse(
            "test.hcl",
            """
            replication {
              mode = "standalone"
              node_id = "witness"
              listen_addr = "127.0.0.1:19001"
              peer_addrs = ["127.0.0.1:9001"]
              %s
              state_dir = "%s"
              ha {
                heartbeat_port = 19002
              }
            }
            """
                .formatted(keyLine, dir))
        .config();
  }

  @Test
  void aWitnessRefusesTheClusterSecretAndSaysHowToGetItsKey() throws Exception {
    FlywallConfig withSecret = config("secret_key = \"0123456789abcdef0123456789abcdef\"");

    assertThatThrownBy(() -> Witness.start(withSecret, Clock.systemUTC()))
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("a witness takes witness_key, not the cluster's secret_key")
        .hasMessageContaining("flywall config witness-key");
  }

  @Test
  void aNodeRefusesAWitnessKeyInPlaceOfTheSecret() throws Exception {
    FlywallConfig node =
        new ConfigLoader(() -> "unused")
            .parse(
                "node.hcl",
                """
                replication {
                  mode = "replica"
                  node_id = "node1"
                  listen_addr = "127.0.0.1:19001"
                  peer_addr = "127.0.0.2:9002"
                  witness_key = "%s"
                  state_dir = "%s"
                  ha {
                    heartbeat_port = 19002
                  }
                }
                api {
                  listen = "127.0.0.1:19080"
                }
                """
                    .formatted("ab".repeat(32), dir))
            .config();

    assertThatThrownBy(
            () ->
                Daemon.start(
                    node,
                    Clock.systemUTC(),
                    new Daemon.Effects(
                        VipGroup.none(), FailoverScripts.none(), new ProcessCommandRunner())))
        .isInstanceOf(NodeStartException.class)
        .hasMessageContaining("witness_key is for 'flywall witness'");
  }
}
