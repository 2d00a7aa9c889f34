package io.flywall.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The seven configs of the user's guide load unchanged, and our copies are the guide's. */
class ExampleConfigsTest {
  private static final List<String> EXAMPLES =
      List.of(
          "advanced-primary.hcl",
          "basic-backup.hcl",
          "basic-primary.hcl",
          "multi-node-1.hcl",
          "multi-node-2.hcl",
          "multi-node-3.hcl");
  private static final ConfigLoader LOADER = new ConfigLoader(() -> "example-host");

  private static Path projectDir() {
    return Path.of(System.getProperty("flywall.project.dir", "."));
  }

  static Stream<String> examples() {
    return EXAMPLES.stream();
  }

  private static List<String> hclFilesIn(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".hcl"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyExampleOfTheGuideIsCopied() throws Exception {
    assertThat(hclFilesIn(projectDir().resolve("examples"))).containsExactlyElementsOf(EXAMPLES);
    Path spec = projectDir().resolve("../shared/spec");
    if (Files.isDirectory(spec)) {
      assertThat(hclFilesIn(spec)).containsExactlyElementsOf(EXAMPLES);
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleLoadsFromTheProjectCopy(String name) throws Exception {
    LoadedConfig loaded = LOADER.load(projectDir().resolve("examples").resolve(name));
    assertThat(loaded.config().replication().ha()).isPresent();
    assertThat(loaded.config().replication().ha().orElseThrow().virtualIps()).hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleLoadsFromTheSpecAndEqualsTheCopy(String name) throws Exception {
    Path spec = projectDir().resolve("../shared/spec").resolve(name);
    assumeTrue(Files.isDirectory(spec.getParent()), "no ../shared/spec next to the project");
    assertThat(Files.readString(projectDir().resolve("examples").resolve(name)))
        .isEqualTo(Files.readString(spec));
    LOADER.load(spec);
  }

  private static FlywallConfig example(String name) throws Exception {
    return LOADER.load(projectDir().resolve("examples").resolve(name)).config();
  }

  @Test
  void advancedPrimaryReadsEverySetting() throws Exception {
    FlywallConfig c = example("advanced-primary.hcl");
    ReplicationConfig r = c.replication();
    HaConfig h = r.ha().orElseThrow();
    assertThat(r.mode()).isEqualTo(ReplicationConfig.Mode.PRIMARY);
    assertThat(r.listenAddr()).isEqualTo(new HostPort("10.0.0.1", 9001));
    assertThat(r.peerAddr()).contains(new HostPort("10.0.0.2", 9002));
    assertThat(r.secretKey().orElseThrow().value()).isEqualTo("COMPLEX_SECRET_32_CHARS");
    assertThat(r.syncInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(h.priority()).isEqualTo(50);
    assertThat(h.failbackMode()).isEqualTo(HaConfig.FailbackMode.MANUAL);
    assertThat(h.failbackWindow()).isEqualTo(Duration.ofMinutes(5));
    assertThat(h.failureThreshold()).isEqualTo(5);
    assertThat(h.failureTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(h.monitorLinks()).containsExactly("eth0", "eth1");
    assertThat(h.monitorGateways()).containsExactly(IpLiteral.parse("192.168.1.1"));
    assertThat(h.conntrackSync().orElseThrow().interfaceName()).isEqualTo("eth0");
    assertThat(h.preFailoverScript()).contains(Path.of("/etc/flywall/pre-failover.sh"));
    assertThat(h.postFailoverScript()).contains(Path.of("/etc/flywall/post-failover.sh"));
    assertThat(h.virtualIps().get(0))
        .isEqualTo(new VirtualIpConfig(Cidr.parse("10.0.0.100/24"), "eth1", true, true));
  }

  @Test
  void basicPairUsesPeerAddrForHeartbeats() throws Exception {
    ReplicationConfig primary = example("basic-primary.hcl").replication();
    ReplicationConfig backup = example("basic-backup.hcl").replication();
    assertThat(primary.heartbeatPeers()).containsExactly(new HostPort("192.168.100.2", 9002));
    assertThat(backup.heartbeatPeers()).containsExactly(new HostPort("192.168.100.1", 9002));
    assertThat(backup.primaryAddr()).contains(new HostPort("192.168.100.1", 9001));
    assertThat(backup.ha().orElseThrow().failureTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(primary.ha().orElseThrow().failbackDelay()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void multiNodeExamplesSendHeartbeatsToTheHeartbeatPortAndWarnOfTheShortSecret() throws Exception {
    LoadedConfig node2 = LOADER.load(projectDir().resolve("examples/multi-node-2.hcl"));
    ReplicationConfig r = node2.config().replication();
    assertThat(r.nodeId()).isEqualTo("node2");
    assertThat(r.heartbeatPeers())
        .containsExactly(new HostPort("10.0.0.1", 9002), new HostPort("10.0.0.3", 9002));
    assertThat(r.heartbeatListen()).isEqualTo(new HostPort("10.0.0.2", 9002));
    assertThat(node2.warnings())
        .singleElement()
        .satisfies(
            w -> assertThat(w.toString()).contains("multi-node-2.hcl:6:16: ", "shorter than 32"));
  }
}
