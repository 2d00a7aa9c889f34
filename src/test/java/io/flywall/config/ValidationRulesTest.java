package io.flywall.config;

import static io.flywall.config.ConfigText.load;
import static io.flywall.config.ConfigText.problemOf;
import static io.flywall.config.ConfigText.problemsOf;
import static io.flywall.config.ConfigText.replication;
import static io.flywall.config.ConfigText.withHa;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per rule of DESIGN section 3; each checks the message and where it points. */
class ValidationRulesTest {

  private static final String VIP =
      "    virtual_ip {\n      address = \"10.0.0.100/24\"\n      interface = \"eth1\"\n    }\n";

  @Test
  void replicationBlockIsRequired() {
    ConfigProblem p = problemOf("api {\n}\n");
    assertThat(p.message()).contains("missing block `replication`");
    assertThat(p.line()).isEqualTo(1);
  }

  @Test
  void modeIsRequired() {
    ConfigProblem p = problemOf("\nreplication {\n  node_id = \"a\"\n}\n");
    assertThat(p.message())
        .contains("`mode` is required", "\"primary\", \"replica\", \"standalone\"");
    assertThat(p.line()).isEqualTo(2);
    assertThat(p.column()).isEqualTo(1);
  }

  @Test
  void modeMustBeOneOfTheAllowedValues() {
    ConfigProblem p = problemOf("replication {\n  mode = \"master\"\n}\n");
    assertThat(p.message())
        .isEqualTo(
            "`mode` must be one of \"primary\", \"replica\", \"standalone\"; got \"master\"");
    assertThat(p).extracting(ConfigProblem::line, ConfigProblem::column).containsExactly(2, 10);
  }

  @Test
  void failbackModeQuorumAndSyncModeListTheirAllowedValues() {
    assertThat(problemOf(withHa("", "    failback_mode = \"never\"\n")).message())
        .contains("\"auto\", \"manual\", \"disabled\"");
    assertThat(problemOf(withHa("", "    quorum = \"all\"\n")).message())
        .contains("\"auto\", \"majority\", \"none\"");
    assertThat(problemOf(replication("  sync_mode = \"semi\"\n")).message())
        .contains("\"async\", \"sync\"");
  }

  @Test
  void priorityMustBeBetween1And1000() throws Exception {
    assertThat(problemOf(withHa("", "    priority = 0\n")).message())
        .isEqualTo("`priority` must be between 1 and 1000, got 0");
    assertThat(problemOf(withHa("", "    priority = 1001\n")).message())
        .contains("between 1 and 1000");
    assertThat(
            load(withHa("", "    priority = 1000\n"))
                .config()
                .replication()
                .ha()
                .orElseThrow()
                .priority())
        .isEqualTo(1000);
  }

  @Test
  void failureThresholdMustBeAtLeastOne() {
    assertThat(problemOf(withHa("", "    failure_threshold = 0\n")).message())
        .contains("`failure_threshold` must be between 1 and");
  }

  @Test
  void heartbeatPortMustBeAValidPort() {
    assertThat(problemOf(withHa("", "    heartbeat_port = 70000\n")).message())
        .contains("`heartbeat_port` must be between 1 and 65535");
    assertThat(problemOf(withHa("", "    heartbeat_port = 0\n")).message())
        .contains("between 1 and 65535");
  }

  @Test
  void addressPortsMustBeValidPorts() {
    assertThat(problemOf(replication("  listen_addr = \"10.0.0.1:0\"\n")).message())
        .contains("`listen_addr`", "between 1 and 65535");
    assertThat(problemOf(replication("  listen_addr = \"10.0.0.1:65536\"\n")).message())
        .contains("between 1 and 65535");
  }

  @Test
  void batchSizeMustBeAtLeastOne() {
    assertThat(problemOf(replication("  batch_size = 0\n")).message())
        .isEqualTo("`batch_size` must be at least 1, got 0");
  }

  @Test
  void logRetentionMustBeAtLeastOneAndSyncTimeoutLongerThanZero() {
    assertThat(problemOf(replication("  log_retention = 0\n")).message())
        .isEqualTo("`log_retention` must be at least 1, got 0");
    assertThat(problemOf(replication("  sync_timeout = 0\n")).message()).contains("`sync_timeout`");
  }

  @Test
  void maxEntriesMustBeAtLeastOne() {
    assertThat(
            problemOf(
                    withHa(
                        "",
                        "    conntrack_sync {\n      interface = \"eth2\"\n      max_entries = 0\n    }\n"))
                .message())
        .contains("`max_entries` must be at least 1");
  }

  @Test
  void integersMustBeWholeNumbers() {
    assertThat(problemOf(withHa("", "    priority = 1.5\n")).message()).contains("whole number");
  }

  @Test
  void wrongTypeSaysWhatTypeWasExpected() {
    assertThat(problemOf(withHa("", "    priority = \"50\"\n")).message())
        .isEqualTo("`priority` must be an integer, not a string (write 50 without quotes)");
    assertThat(problemOf(replication("  compression = \"yes\"\n")).message())
        .isEqualTo("`compression` must be a bool (true or false), not a string");
    assertThat(problemOf(replication("  node_id = 5\n")).message())
        .isEqualTo("`node_id` must be a string, not a number");
    assertThat(problemOf(withHa("  peer_addrs = \"10.0.0.2:9001\"\n", "")).message())
        .startsWith("`peer_addrs` must be a list");
    assertThat(problemOf(withHa("", "    monitor_links = [1]\n")).message())
        .contains("a list of strings, not a number");
  }

  @Test
  void durationsAcceptSecondsAndUnitStrings() throws Exception {
    HaConfig h =
        load(withHa(
                "",
                "    failback_delay = 45\n    failback_window = \"2h\"\n    script_timeout = \"1500ms\"\n"))
            .config()
            .replication()
            .ha()
            .orElseThrow();
    assertThat(h.failbackDelay()).hasSeconds(45);
    assertThat(h.failbackWindow()).hasHours(2);
    assertThat(h.scriptTimeout()).hasMillis(1500);
  }

  @Test
  void durationWithUnknownUnitIsRejected() {
    ConfigProblem p = problemOf(replication("  sync_interval = \"5x\"\n"));
    assertThat(p.message()).contains("`sync_interval`", "\"250ms\"", "got \"5x\"");
  }

  @Test
  void negativeDurationsAreRejected() {
    assertThat(problemOf(withHa("", "    failback_delay = -5\n")).message())
        .contains("must not be negative");
    assertThat(problemOf(withHa("", "    failback_delay = \"-5s\"\n")).message())
        .contains("must not be negative");
  }

  @Test
  void intervalsMustBeLongerThanZero() {
    assertThat(problemOf(withHa("", "    heartbeat_interval = 0\n")).message())
        .contains("`heartbeat_interval` must be longer than 0");
  }

  @Test
  void failureTimeoutMustNotBeShorterThanHeartbeatInterval() {
    ConfigProblem p =
        problemOf(withHa("", "    heartbeat_interval = 2\n    failure_timeout = \"1500ms\"\n"));
    assertThat(p.message())
        .isEqualTo("`failure_timeout` (1500ms) must not be shorter than `heartbeat_interval` (2s)");
    assertThat(p.line()).isEqualTo(7);
  }

  @Test
  void startupHoldMustNotBeShorterThanHeartbeatInterval() {
    ConfigProblem p =
        problemOf(withHa("", "    heartbeat_interval = 2\n    startup_hold = \"1s\"\n"));
    assertThat(p.message())
        .startsWith("`startup_hold` (1s) must not be shorter than `heartbeat_interval` (2s)");
    assertThat(p.line()).isEqualTo(7);
  }

  @Test
  void startupHoldDefaultsToFiveSeconds() throws Exception {
    var ha = ConfigText.load(withHa("", "")).config().replication().ha().orElseThrow();
    assertThat(ha.startupHold()).isEqualTo(java.time.Duration.ofSeconds(5));
  }

  @Test
  void peerAddrAndPeerAddrsExcludeEachOther() {
    ConfigProblem p =
        problemOf(
            withHa("  peer_addr = \"10.0.0.2:9002\"\n  peer_addrs = [\"10.0.0.3:9001\"]\n", ""));
    assertThat(p.message()).contains("`peer_addr` and `peer_addrs` exclude each other");
    assertThat(p.line()).isEqualTo(5);
  }

  @Test
  void secretKeyIsRequiredOnceAnyPeerIsConfigured() {
    for (String peer :
        List.of(
            "  peer_addr = \"10.0.0.2:9002\"\n",
            "  peer_addrs = [\"10.0.0.2:9001\"]\n",
            "  primary_addr = \"10.0.0.2:9001\"\n")) {
      ConfigProblem p = problemOf(replication(peer));
      assertThat(p.message()).startsWith("`secret_key` is required");
      assertThat(p.line()).isEqualTo(3);
    }
    ConfigProblem witness =
        problemOf(replication("  ha {\n    witness_addr = \"10.0.0.9:9002\"\n  }\n"));
    assertThat(witness.message()).contains("`secret_key` is required", "`witness_addr`");
  }

  @Test
  void aStateDirConntrackdConfCannotCarryIsAnErrorOnlyWithConntrackSync() throws Exception {
    String conntrack = "    conntrack_sync {\n      interface = \"eth2\"\n    }\n";
    ConfigProblem p = problemOf(withHa("  state_dir = \"/var/lib/fly wall\"\n", conntrack));

    assertThat(p.message()).contains("`state_dir` must not contain spaces", "conntrackd.conf");
    assertThat(load(withHa("  state_dir = \"/var/lib/fly wall\"\n", "")).config()).isNotNull();
  }

  @Test
  void aWitnessConfigTakesWitnessKeyInsteadOfSecretKey() throws Exception {
    String key = "0123456789abcdef".repeat(4);
    LoadedConfig loaded =
        load(replication("  witness_key = \"" + key + "\"\n  peer_addrs = [\"10.0.0.1:9001\"]\n"));

    assertThat(loaded.config().replication().witnessKey()).contains(new Secret(key));
    assertThat(loaded.config().replication().secretKey()).isEmpty();
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void aWitnessKeyIsSixtyFourHexDigitsAndNeverQuotedInTheError() {
    ConfigProblem p = problemOf(replication("  witness_key = \"not-a-key-but-a-secret\"\n"));

    assertThat(p.message())
        .contains("`witness_key` must be the 64 hex digits", "flywall config witness-key")
        .doesNotContain("not-a-key-but-a-secret");
    assertThat(p.line()).isEqualTo(3);
  }

  @Test
  void secretKeyAndWitnessKeyExcludeEachOther() {
    ConfigProblem p =
        problemOf(
            replication(
                "  secret_key = \"0123456789abcdef0123456789abcdef\"\n  witness_key = \""
                    + "ab".repeat(32)
                    + "\"\n"));

    assertThat(p.message()).contains("`secret_key` and `witness_key` exclude each other");
    assertThat(p.line()).isEqualTo(4);
  }

  @Test
  void peerAddrWithTheReplicationPortIsWarnedAboutNamingTheHeartbeatPort() throws Exception {
    LoadedConfig loaded =
        load(withHa("  listen_addr = \"10.0.0.1:9001\"\n  peer_addr = \"10.0.0.2:9001\"\n", ""));
    assertThat(loaded.warnings())
        .singleElement()
        .satisfies(
            w ->
                assertThat(w.message())
                    .contains("`peer_addr` is the peer's heartbeat address")
                    .contains("write \"10.0.0.2:9002\""));
  }

  @Test
  void peerAddrsWithTheHeartbeatPortIsWarnedAboutNamingTheReplicationPort() throws Exception {
    LoadedConfig loaded =
        load(
            withHa(
                "  listen_addr = \"10.0.0.1:9001\"\n"
                    + "  peer_addrs = [\"10.0.0.2:9002\", \"10.0.0.3:9001\"]\n",
                ""));
    assertThat(loaded.warnings())
        .singleElement()
        .satisfies(
            w ->
                assertThat(w.message())
                    .contains("`peer_addrs` are the peers' replication addresses")
                    .contains("write \"10.0.0.2:9001\""));
  }

  @Test
  void aPeerAddressWithoutPortGetsAnExampleWithThePortItsAttributeMeans() {
    assertThat(problemOf(withHa("  peer_addr = \"10.0.0.2\"\n", "")).message())
        .contains("heartbeat_port")
        .contains("10.0.0.2:9002")
        .doesNotContain(":9001");
    assertThat(problemOf(withHa("  peer_addrs = [\"10.0.0.2\"]\n", "")).message())
        .contains("10.0.0.2:9001");
  }

  @Test
  void shortSecretIsAWarningNotAnError() throws Exception {
    LoadedConfig loaded =
        load(replication("  secret_key = \"short-secret\"\n  peer_addr = \"10.0.0.2:9002\"\n"));
    assertThat(loaded.config().replication().secretKey()).isPresent();
    assertThat(loaded.warnings())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.message()).contains("shorter than 32 characters", "offline");
              assertThat(w.line()).isEqualTo(3);
            });
  }

  @Test
  void emptySecretIsAnError() {
    assertThat(problemOf(replication("  secret_key = \"\"\n")).message())
        .contains("must not be empty");
  }

  @Test
  void peersNeedAHost() {
    assertThat(problemOf(withHa("  peer_addr = \":9002\"\n", "")).message())
        .contains("`peer_addr` needs a host");
    assertThat(problemOf(withHa("  peer_addrs = [\":9001\"]\n", "")).message())
        .contains("needs a host");
  }

  @Test
  void duplicateVirtualIpAddressIsAnError() {
    ConfigProblem p =
        problemOf(
            withHa(
                "",
                VIP
                    + "    virtual_ip {\n      address = \"10.0.0.100/32\"\n      interface = \"eth2\"\n    }\n"));
    assertThat(p.message()).isEqualTo("virtual IP 10.0.0.100 is already configured at line 7");
    assertThat(p.line()).isEqualTo(11);
  }

  @Test
  void virtualIpIsRepeatable() throws Exception {
    HaConfig h =
        load(withHa(
                "",
                VIP
                    + "    virtual_ip {\n      address = \"fd00::100/64\"\n      interface = \"eth1\"\n"
                    + "      arp_ping = false\n    }\n"))
            .config()
            .replication()
            .ha()
            .orElseThrow();
    assertThat(h.virtualIps())
        .extracting(v -> v.address().toString())
        .containsExactly("10.0.0.100/24", "fd00::100/64");
    assertThat(h.virtualIps().get(1).arpPing()).isFalse();
  }

  @Test
  void virtualIpNeedsAddressAndInterface() {
    List<ConfigProblem> problems = problemsOf(withHa("", "    virtual_ip {\n    }\n"));
    assertThat(problems)
        .extracting(ConfigProblem::message)
        .containsExactly(
            "block `virtual_ip` needs `address`", "block `virtual_ip` needs `interface`");
    assertThat(problems).allSatisfy(p -> assertThat(p.line()).isEqualTo(6));
  }

  @Test
  void virtualIpAddressMustBeACidr() {
    assertThat(
            problemOf(
                    withHa(
                        "",
                        "    virtual_ip {\n      address = \"10.0.0.300/24\"\n      interface = \"eth1\"\n    }\n"))
                .message())
        .contains("`address`", "not an address/prefix");
    assertThat(
            problemOf(
                    withHa(
                        "",
                        "    virtual_ip {\n      address = \"10.0.0.1/33\"\n      interface = \"eth1\"\n    }\n"))
                .message())
        .contains("prefix length must be between 0 and 32");
  }

  @Test
  void enabledConntrackSyncNeedsAnInterface() throws Exception {
    ConfigProblem p = problemOf(withHa("", "    conntrack_sync {\n      enabled = true\n    }\n"));
    assertThat(p.message()).contains("`conntrack_sync` needs `interface`");
    ConntrackSyncConfig off =
        load(withHa("", "    conntrack_sync {\n      enabled = false\n    }\n"))
            .config()
            .replication()
            .ha()
            .orElseThrow()
            .conntrackSync()
            .orElseThrow();
    assertThat(off.enabled()).isFalse();
  }

  @Test
  void interfaceNamesFollowTheKernelRules() {
    assertThat(problemOf(withHa("", "    monitor_links = [\"a-name-far-too-long\"]\n")).message())
        .contains("not an interface name");
    assertThat(problemOf(withHa("", "    monitor_links = [\"eth0/1\"]\n")).message())
        .contains("not an interface name");
  }

  @Test
  void monitorGatewaysMustBeIpLiterals() throws Exception {
    assertThat(problemOf(withHa("", "    monitor_gateways = [\"gateway.lan\"]\n")).message())
        .contains("is not an IP address");
    assertThat(
            load(withHa("", "    monitor_gateways = [\"192.168.1.1\", \"fe80::1\"]\n"))
                .config()
                .replication()
                .ha()
                .orElseThrow()
                .monitorGateways())
        .hasSize(2);
  }

  @Test
  void duplicateListEntriesAreErrors() {
    assertThat(
            problemOf(withHa("  peer_addrs = [\"10.0.0.2:9001\", \"10.0.0.2:9001\"]\n", ""))
                .message())
        .contains("lists 10.0.0.2:9001 twice");
  }

  @Test
  void syncFilesMustNotContainTheConfigFileItself(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("flywall.hcl");
    Files.writeString(file, replication("  sync_files = [\"/etc/hosts\", \"" + file + "\"]\n"));
    ConfigException e =
        catchThrowableOfType(() -> ConfigText.LOADER.load(file), ConfigException.class);
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message()).contains("`sync_files` must not contain this config file");
              assertThat(p.file()).isEqualTo(file.toString());
            });
  }

  @Test
  void unreadableFileIsOneProblemNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.hcl");
    ConfigException e =
        catchThrowableOfType(() -> ConfigText.LOADER.load(missing), ConfigException.class);
    assertThat(e.getMessage()).isEqualTo(missing + ": cannot read the config: no such file");
    ConfigException directory =
        catchThrowableOfType(() -> ConfigText.LOADER.load(dir), ConfigException.class);
    assertThat(directory.getMessage()).contains("is a directory");
  }

  @Test
  void invalidUtf8IsRejected(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bin.hcl");
    Files.write(file, new byte[] {'a', ' ', '=', ' ', '"', (byte) 0xff, '"', '\n'});
    ConfigException e =
        catchThrowableOfType(() -> ConfigText.LOADER.load(file), ConfigException.class);
    assertThat(e.getMessage()).contains("not valid UTF-8");
  }

  @Test
  void nodeIdMustBeAPlainName() {
    assertThat(problemOf(replication("  node_id = \"node one\"\n")).message())
        .contains("`node_id`", "letters");
  }

  @Test
  void missingHostnameWithoutNodeIdIsAnError() {
    ConfigLoader loader = new ConfigLoader(() -> null);
    ConfigException e =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            () -> loader.parse("t.hcl", replication("")), ConfigException.class);
    assertThat(e.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("set `node_id`"));
  }

  @Test
  void unknownAttributeSuggestsTheClosestName() {
    ConfigProblem p = problemOf(withHa("", "    prority = 5\n"));
    assertThat(p.message())
        .isEqualTo(
            "unknown attribute `prority` in block `replication.ha`; did you mean `priority`?");
    assertThat(p).extracting(ConfigProblem::line, ConfigProblem::column).containsExactly(6, 5);
  }

  @Test
  void unknownBlockSuggestsTheClosestName() {
    assertThat(problemOf(withHa("", "    virtual_ips {\n    }\n")).message())
        .isEqualTo(
            "unknown block `virtual_ips` in block `replication.ha`; did you mean `virtual_ip`?");
    assertThat(problemsOf("replicaton {\n  mode = \"primary\"\n}\n").get(0).message())
        .startsWith("unknown block `replicaton` at the top level; did you mean `replication`?");
  }

  @Test
  void nameInTheWrongBlockSaysWhereItBelongs() {
    assertThat(problemOf(replication("  priority = 5\n")).message())
        .isEqualTo(
            "unknown attribute `priority` in block `replication`; `priority` belongs in block `replication.ha`");
  }

  @Test
  void blockWrittenAsAttributeAndViceVersaIsExplained() {
    assertThat(problemOf(replication("  ha = true\n")).message())
        .contains("`ha` is a block, not an attribute");
    assertThat(problemOf(replication("  compression {\n  }\n")).message())
        .contains("`compression` is an attribute, not a block");
  }

  @Test
  void singleBlocksMayAppearOnlyOnce() {
    assertThat(problemOf(replication("  ha {\n  }\n  ha {\n  }\n")).message())
        .contains("`ha` may appear only once");
  }

  @Test
  void blocksTakeNoLabels() {
    assertThat(problemOf(replication("  ha \"main\" {\n  }\n")).message())
        .contains("takes no labels");
  }

  @Test
  void everyProblemIsReportedAtOnceInFileOrder() {
    List<ConfigProblem> problems =
        problemsOf(
            """
        replication {
          mode = "boss"
          batch_size = 0
          ha {
            priority = 5000
            heartbeat_intervall = 1
            virtual_ip {
              address = "10.0.0.1/24"
            }
          }
        }
        api {
          listen = "nowhere"
        }
        """);
    assertThat(problems).extracting(ConfigProblem::line).containsExactly(2, 3, 5, 6, 7, 13);
    assertThat(problems).allSatisfy(p -> assertThat(p.file()).isEqualTo("test.hcl"));
  }

  @Test
  void syntaxErrorsComeWithFileLineAndColumn() {
    ConfigProblem p =
        problemOf("replication {\n  mode = \"primary\"\n  priority = 50 garbage \"x\" ]]\n}\n");
    assertThat(p.toString()).startsWith("test.hcl:3:17: expected end of line");
  }
}
