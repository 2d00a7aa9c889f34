package io.flywall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flywall.api.ApiModel;
import io.flywall.api.ApiServer;
import io.flywall.api.ApiToken;
import io.flywall.api.HaMetrics;
import io.flywall.api.HaService;
import io.flywall.api.MonitorFeed;
import io.flywall.node.StateApi;
import io.flywall.replication.PeerSources;
import io.flywall.replication.Replication;
import io.flywall.replication.ReplicationSettings;
import io.flywall.state.LogRetention;
import io.flywall.state.StateDatabase;
import io.flywall.state.StateStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Section 7 and 8: {@code flywall state ...} and {@code flywall replication ...} against a real
 * store and API.
 */
class StateCommandTest {
  @TempDir Path dir;
  private StateDatabase db;
  private Replication replication;
  private ApiServer api;
  private Path tokenFile;

  /** The HA routes are not under test here. */
  private static final class NoHa implements HaService {
    public ApiModel.HaStatus status() {
      throw new UnsupportedOperationException();
    }

    public ApiModel.ClusterInfo cluster() {
      throw new UnsupportedOperationException();
    }

    public List<ApiModel.HistoryEntry> history(int limit) {
      return List.of();
    }

    public ApiModel.CommandOutcome failover(Optional<String> target) {
      return ApiModel.CommandOutcome.refused("not here");
    }

    public ApiModel.CommandOutcome setFailback(boolean enabled) {
      return ApiModel.CommandOutcome.refused("not here");
    }

    public ApiModel.CommandOutcome promote(boolean force) {
      return ApiModel.CommandOutcome.refused("not here");
    }

    public ApiModel.CommandOutcome reset() {
      return ApiModel.CommandOutcome.refused("not here");
    }

    @Override
    public ApiModel.CommandOutcome standby(java.util.Optional<String> node, boolean on) {
      return ApiModel.CommandOutcome.refused("not here");
    }
  }

  @BeforeEach
  void start() throws Exception {
    db = StateDatabase.open(dir.resolve("state"));
    StateStore store = StateStore.open(db, "fw-a", Clock.systemUTC(), LogRetention.DEFAULT);
    replication =
        Replication.start(
            store,
            new ReplicationSettings(
                "fw-a",
                new InetSocketAddress("127.0.0.1", 0),
                true,
                true,
                1000,
                Duration.ofMillis(100),
                false,
                Duration.ofSeconds(1),
                List.of(),
                Optional.empty(),
                PeerSources.none()),
            new byte[32],
            Clock.systemUTC(),
            new SecureRandom(),
            Optional::empty,
            () -> 1,
            (sync, position) -> {});
    replication.becomePrimary(1);
    tokenFile = dir.resolve("api.token");
    ApiToken token = ApiToken.loadOrCreate(tokenFile, new SecureRandom());
    api =
        new ApiServer(
                new ApiServer.Settings("127.0.0.1", 0, address -> true, token),
                new NoHa(),
                new HaMetrics(),
                new MonitorFeed(),
                Optional.of(new StateApi("fw-a", replication)))
            .start();
  }

  @AfterEach
  void stop() {
    api.close();
    replication.close();
    db.close();
  }

  private record Run(int exitCode, String out, String err) {}

  private Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(
        List.of("--api", "http://127.0.0.1:" + api.port(), "--token-file", tokenFile.toString()));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void putGetListAndDeleteAnEntryThroughTheCli() {
    assertThat(run("state", "put", "dhcp_leases", "aa:bb:cc", "10.0.0.5").exitCode()).isZero();
    assertThat(run("state", "put", "dhcp_leases", "dd:ee:ff", "10.0.0.6", "--ttl", "1h").exitCode())
        .isZero();

    Run get = run("state", "get", "dhcp_leases", "aa:bb:cc");
    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).contains("10.0.0.5").contains("fw-a");
    assertThat(run("state", "list", "dhcp_leases").out()).contains("aa:bb:cc").contains("dd:ee:ff");

    assertThat(run("state", "delete", "dhcp_leases", "aa:bb:cc").exitCode()).isZero();
    Run gone = run("state", "get", "dhcp_leases", "aa:bb:cc");
    assertThat(gone.exitCode()).isNotZero();
    assertThat(gone.err()).contains("no key 'aa:bb:cc'");
  }

  @Test
  void jsonOutputCarriesVersionAndExpiry() throws Exception {
    run("state", "put", "learning", "mac1", "port3", "--ttl", "30s");
    JsonNode entry =
        new ObjectMapper().readTree(run("state", "get", "learning", "mac1", "--json").out());
    assertThat(entry.path("value").asText()).isEqualTo("port3");
    assertThat(entry.path("version").asLong()).isEqualTo(1);
    assertThat(entry.path("expires_at").isTextual()).isTrue();
  }

  @Test
  void replicationStatusShowsRolePositionAndChecksum() throws Exception {
    run("state", "put", "b", "k", "v");
    Run status = run("replication", "status");
    assertThat(status.out())
        .contains("primary")
        .contains("Position:   1")
        .containsPattern("Checksum:   [0-9a-f]{16}");
    JsonNode json = new ObjectMapper().readTree(run("replication", "status", "--json").out());
    assertThat(json.path("sync_state").asText()).isEqualTo("no_replicas");
    assertThat(json.path("checksum").asText()).hasSize(16);
    assertThat(run("replication", "stats").out())
        .contains("changes_sent")
        .contains("apply_latency_ms");
  }

  @Test
  void resyncOnThePrimaryIsRefused() {
    Run resync = run("replication", "resync");
    assertThat(resync.exitCode()).isNotZero();
    assertThat(resync.err()).contains("primary").contains("409");
  }

  @Test
  void aWriteOnANonPrimaryIsRefusedNamingThePrimary() {
    replication.becomeReplica(Optional.of("fw-b"));
    Run put = run("state", "put", "b", "k", "v");
    assertThat(put.exitCode()).isNotZero();
    assertThat(put.err()).contains("fw-b").contains("409");
  }

  private Path ndjson(int lines, java.util.function.IntFunction<String> line) throws Exception {
    Path file = dir.resolve("import-" + System.nanoTime() + ".ndjson");
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= lines; i++) {
      text.append(line.apply(i)).append('\n');
    }
    java.nio.file.Files.writeString(file, text);
    return file;
  }

  private static String lease(int i) {
    return "{\"bucket\": \"dhcp_leases\", \"key\": \"lease-"
        + i
        + "\", \"value\": {\"ip\": \"10.0.0."
        + (i % 250)
        + "\"}, \"ttl\": \"1h\"}";
  }

  @Test
  void importWritesEveryLineInBatchesAndSaysHowMany() throws Exception {
    Path file = ndjson(2_500, StateCommandTest::lease);
    Run run = run("state", "import", "--batch", "1000", file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("imported 2500 lines").contains("in 3 requests");
    StateStore store = replication.store();
    assertThat(store.position()).isEqualTo(2_500);
    assertThat(new String(store.get("dhcp_leases", "lease-2500").orElseThrow().value()))
        .isEqualTo("{\"ip\":\"10.0.0.0\"}");
    assertThat(store.get("dhcp_leases", "lease-1").orElseThrow().expiry()).isPresent();
    JsonNode json =
        new ObjectMapper().readTree(run("state", "import", "--json", file.toString()).out());
    assertThat(json.path("count").asInt()).isEqualTo(2_500);
    assertThat(json.path("requests").asInt()).isEqualTo(3);
  }

  @Test
  void importCutsItsBatchesByBytesNotCharactersSoValuesInAnyScriptFit() throws Exception {
    // 1,000 lines of 4,000 euro signs: 4 MB of characters, 12 MB of UTF-8, over a request's 8 MiB.
    String euros = "\u20ac".repeat(4_000);
    Path file =
        ndjson(
            1_000,
            i ->
                "{\"bucket\": \"dns_records\", \"key\": \"txt-"
                    + i
                    + "\", \"value\": \""
                    + euros
                    + "\"}");
    Run run = run("state", "import", "--batch", "1000", file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("imported 1000 lines").contains("in 2 requests");
    assertThat(replication.store().position()).isEqualTo(1_000);
    assertThat(
            new String(
                replication.store().get("dns_records", "txt-1000").orElseThrow().value(),
                java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(euros);
  }

  @Test
  void aFileThatStartsWithAByteOrderMarkImportsFromItsFirstLine() throws Exception {
    Path file = ndjson(3, i -> (i == 1 ? "\uFEFF" : "") + lease(i));
    Run run = run("state", "import", file.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(replication.store().get("dhcp_leases", "lease-1")).isPresent();
    assertThat(replication.store().position()).isEqualTo(3);
  }

  @Test
  void aBadLineStopsTheImportNamingItAndNothingOfItsBatchIsWritten() throws Exception {
    Path file = ndjson(25, i -> i == 17 ? "{\"bucket\": \"dhcp_leases\", \"key\": " : lease(i));
    Run run = run("state", "import", "--batch", "10", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("line 17")
        .contains("not JSON")
        .contains("lines before line 11 were written (10 lines)");
    StateStore store = replication.store();
    assertThat(store.get("dhcp_leases", "lease-10")).isPresent();
    assertThat(store.get("dhcp_leases", "lease-11")).isEmpty();
    assertThat(store.position()).isEqualTo(10);
  }

  @Test
  void aLineTheDaemonRefusesIsNamedByItsLineNumber() throws Exception {
    Path file =
        ndjson(
            6,
            i ->
                i == 4
                    ? "{\"bucket\": \"b\", \"key\": \"k\", \"value\": 1, \"ttl\": \"9223372036854775807ms\"}"
                    : lease(i));
    Run run = run("state", "import", "--batch", "5", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("line 4").contains("10 years").contains("nothing was written");
    assertThat(replication.store().position()).isZero();
    assertThat(run("state", "import", "--batch", "0", file.toString()).exitCode()).isEqualTo(2);
    assertThat(run("state", "import", dir.resolve("missing").toString()).err())
        .contains("no such file");
  }
}
