package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthWatchTest {

  private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(1);
  private final List<String> verdicts = new ArrayList<>();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  private HealthWatch watch(FakeCommandRunner runner, List<String> links, List<String> gateways) {
    return new HealthWatch(
        links,
        gateways.stream().map(Samples::ip).toList(),
        new LinkMonitor(runner, Duration.ofSeconds(1)),
        new GatewayMonitor(runner),
        (healthy, cause) -> verdicts.add(healthy + ": " + cause),
        threads);
  }

  @Test
  void theFirstVerdictJudgesWhatTheMonitorsSee() {
    String links = Samples.read("ip-link-show-wan-no-carrier.json");
    FakeCommandRunner runner =
        new FakeCommandRunner(
            argv ->
                argv.get(0).equals("ip")
                    ? FakeCommandRunner.ok(argv, links)
                    : FakeCommandRunner.ok(argv, Samples.read("ping-reply.txt")));

    watch(runner, List.of("fwt-lan", "fwt-wan"), List.of("10.99.1.2")).start(Duration.ofHours(1));

    assertThat(verdicts).containsExactly("false: link fwt-wan down (no carrier)");
  }

  @Test
  void linksThatCannotBeReadCountAsDown() {
    FakeCommandRunner runner =
        new FakeCommandRunner(argv -> new CommandResult(argv, -1, "", "", true));

    watch(runner, List.of("eth0"), List.of()).start(Duration.ofHours(1));

    assertThat(verdicts).singleElement().asString().startsWith("false: link eth0 down (unreadable");
  }

  /** Links whose state the test sets, telling the watcher like link events do. */
  private static final class EventLinks implements LinkObserver {
    volatile LinkState state = LinkState.up("lan0");
    Runnable listener = () -> {};

    @Override
    public List<LinkState> observe(Collection<String> names) {
      return List.of(state);
    }

    @Override
    public void onChange(Runnable listener) {
      this.listener = listener;
    }
  }

  @Test
  void aLinkEventIsJudgedAtOnceNotAtTheNextPeriodicCheck() {
    EventLinks links = new EventLinks();
    List<String> reports = new CopyOnWriteArrayList<>();
    try (HealthWatch watch =
        new HealthWatch(
            List.of("lan0"),
            List.of(),
            links,
            new GatewayMonitor((argv, timeout) -> new CommandResult(argv, 0, "", "", false)),
            (healthy, cause) -> reports.add(healthy + " " + cause),
            Executors.newScheduledThreadPool(1))) {
      // A heartbeat interval of an hour: only an event can make the watcher look again.
      watch.start(Duration.ofHours(1));
      assertThat(reports).containsExactly("true healthy");

      links.state = LinkState.down("lan0", "no carrier");
      links.listener.run();

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> reports.contains("false link lan0 down (no carrier)"));
    }
  }

  /** Interfaces that exist or not as the test says. */
  private static final class Interfaces implements LinkObserver {
    final java.util.Set<String> present = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Runnable listener = () -> {};

    @Override
    public List<LinkState> observe(Collection<String> names) {
      return names.stream()
          .map(n -> present.contains(n) ? LinkState.up(n) : LinkState.missing(n))
          .toList();
    }

    @Override
    public void onChange(Runnable listener) {
      this.listener = listener;
    }
  }

  @Test
  void aMissingVipInterfaceIsAFaultNamingItAndItsCreationHealsIt() {
    Interfaces interfaces = new Interfaces();
    List<String> reports = new CopyOnWriteArrayList<>();
    try (HealthWatch watch =
        new HealthWatch(
            List.of(),
            List.of("fwux0", "fwux0"),
            List.of(),
            interfaces,
            new GatewayMonitor((argv, timeout) -> new CommandResult(argv, 0, "", "", false)),
            (healthy, cause) -> reports.add(healthy + " " + cause),
            Executors.newScheduledThreadPool(1))) {
      assertThat(watch.watching()).isTrue();
      watch.start(Duration.ofHours(1));
      assertThat(reports).containsExactly("false interface fwux0 missing (virtual_ip)");

      interfaces.present.add("fwux0");
      interfaces.listener.run();

      await().atMost(Duration.ofSeconds(5)).until(() -> reports.contains("true healthy"));
    }
  }

  @Test
  void aVipInterfaceThatExistsButIsDownIsLeftToMonitorLinks() {
    List<String> reports = new CopyOnWriteArrayList<>();
    LinkObserver down = names -> names.stream().map(n -> LinkState.down(n, "no carrier")).toList();
    try (HealthWatch watch =
        new HealthWatch(
            List.of(),
            List.of("lan0"),
            List.of(),
            down,
            new GatewayMonitor((argv, timeout) -> new CommandResult(argv, 0, "", "", false)),
            (healthy, cause) -> reports.add(healthy + " " + cause),
            Executors.newScheduledThreadPool(1))) {
      watch.start(Duration.ofHours(1));
      assertThat(reports).containsExactly("true healthy");
    }
  }
}
