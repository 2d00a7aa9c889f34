package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.api.ApiModel.CommandOutcome;
import io.flywall.config.ConfigLoader;
import io.flywall.network.ProcessCommandRunner;
import io.flywall.network.Vip;
import io.flywall.network.VipGroup;
import io.flywall.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload (DESIGN 10.6) on a real single-node daemon in this JVM: what can change live does, keeping
 * the role; a bad config, or one that changes what needs a restart, changes nothing.
 */
class ReloadIT {
  @TempDir Path dir;
  private Path file;
  private int heartbeatPort;
  private int replicationPort;
  private int apiPort;
  private Daemon daemon;
  private final List<List<Vip>> reconfigured = new CopyOnWriteArrayList<>();

  /** VIPs that only record what a reload asks of them. */
  private final VipGroup vips =
      new VipGroup() {
        @Override
        public void claim() {}

        @Override
        public void release() {}

        @Override
        public Optional<VipGroup.Conflict> probeConflict(java.time.Instant since) {
          return Optional.empty();
        }

        @Override
        public void tick(boolean primary) {}

        @Override
        public void reannounce() {}

        @Override
        public List<VipState> state() {
          return List.of();
        }

        @Override
        public void reconfigure(List<Vip> all, List<Vip> announced, List<Vip> probed) {
          reconfigured.add(all);
        }
      };

  private String config(int priority, String extra) {
    return """
        replication {
          mode = "replica"
          node_id = "solo"
          listen_addr = "127.0.0.1:%d"
          state_dir = "%s"
          ha {
            priority = %d
            heartbeat_interval = "100ms"
            startup_hold = "200ms"
            heartbeat_port = %d
            %s
          }
        }
        api {
          listen = "127.0.0.1:%d"
        }
        """
        .formatted(replicationPort, dir.resolve("state"), priority, heartbeatPort, extra, apiPort);
  }

  @BeforeEach
  void start() throws Exception {
    heartbeatPort = FreePorts.udpOnAll(List.of("127.0.0.1"), System.nanoTime());
    replicationPort = FreePorts.tcp();
    apiPort = FreePorts.tcp();
    file = Files.writeString(dir.resolve("flywall.hcl"), config(100, ""));
    daemon =
        Daemon.start(
            new ConfigLoader(() -> "unused").load(file).config(),
            Optional.of(file),
            Clock.systemUTC(),
            new Daemon.Effects(vips, FailoverScripts.none(), new ProcessCommandRunner()));
    await().atMost(Duration.ofSeconds(20)).until(() -> role().equals("primary"));
  }

  @AfterEach
  void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  private String role() {
    return daemon.view().status().role();
  }

  private io.flywall.api.ApiModel.HistoryEntry lastEvent() {
    return daemon.view().history(1).get(0);
  }

  @Test
  void aNewPriorityAndFailbackDelayApplyLiveKeepingTheRoleAndTheHistorySaysSo() throws Exception {
    long epoch = daemon.view().status().epoch();
    Files.writeString(file, config(40, "failback_delay = \"7s\""));

    CommandOutcome outcome = daemon.reload();

    assertThat(outcome.accepted()).as(outcome.message()).isTrue();
    assertThat(outcome.message())
        .contains("priority 100 -> 40")
        .contains("failback_delay 30s -> 7s");
    assertThat(daemon.view().status().priority()).isEqualTo(40);
    assertThat(role()).isEqualTo("primary");
    assertThat(daemon.view().status().epoch()).isEqualTo(epoch);
    await().atMost(Duration.ofSeconds(5)).until(() -> lastEvent().type().equals("reload"));
    assertThat(lastEvent().cause()).contains("priority 100 -> 40");
  }

  @Test
  void aConfigThatFailsCheckIsRefusedWithItsErrorsAndTheOldOneStays() throws Exception {
    Files.writeString(file, config(40, "priorty = 5"));

    CommandOutcome outcome = daemon.reload();

    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.message())
        .contains("does not pass 'flywall config check'")
        .contains(file + ":")
        .contains("did you mean");
    assertThat(daemon.view().status().priority()).isEqualTo(100);
    assertThat(role()).isEqualTo("primary");
    await().atMost(Duration.ofSeconds(5)).until(() -> lastEvent().cause().contains("refused"));
  }

  @Test
  void changesThatNeedARestartAreNamedAndNothingChanges() throws Exception {
    Files.writeString(
        file, config(40, "").replace("heartbeat_port = " + heartbeatPort, "heartbeat_port = 9"));

    CommandOutcome outcome = daemon.reload();

    assertThat(outcome.accepted()).isFalse();
    assertThat(outcome.message())
        .contains("cannot change live: heartbeat_port")
        .contains("nothing was changed");
    assertThat(daemon.view().status().priority()).isEqualTo(100);
  }

  @Test
  void vipsAddedLiveReachTheVipGroupAndTheHealthWatch() throws Exception {
    Files.writeString(
        file,
        config(
            100,
            """
            virtual_ip {
              address = "10.99.7.1/24"
              interface = "lo"
              arp_ping = false
            }
            """));

    CommandOutcome outcome = daemon.reload();

    assertThat(outcome.accepted()).as(outcome.message()).isTrue();
    assertThat(outcome.message()).contains("virtual_ips [] -> [10.99.7.1/24 on lo]");
    assertThat(reconfigured).hasSize(1);
    assertThat(reconfigured.get(0)).extracting(Vip::interfaceName).containsExactly("lo");
    assertThat(role()).isEqualTo("primary");
  }

  @Test
  void aVipOnAnInterfaceThatDoesNotExistPutsTheNodeInFaultNamingIt() throws Exception {
    Files.writeString(
        file,
        config(
            100,
            """
            virtual_ip {
              address = "10.99.7.1/24"
              interface = "fwux0"
            }
            """));

    assertThat(daemon.reload().accepted()).isTrue();

    await().atMost(Duration.ofSeconds(10)).until(() -> role().equals("fault"));
    var status = daemon.view().status();
    assertThat(status.healthCause()).contains("interface fwux0 missing");
    // The node did not hear of another holder: no split-brain alarm, a plain fault.
    assertThat(status.alarms()).noneMatch(a -> a.name().equals("split_brain_risk"));

    // Back to the VIP on an interface that exists: the node recovers.
    Files.writeString(file, config(100, ""));
    assertThat(daemon.reload().accepted()).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> role().equals("primary"));
  }

  @Test
  void aReloadWithoutChangesSaysSo() {
    CommandOutcome outcome = daemon.reload();
    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.message()).isEqualTo("reloaded: no change");
  }
}
