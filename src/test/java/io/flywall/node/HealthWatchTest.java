package io.flywall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.flywall.network.CommandResult;
import io.flywall.network.GatewayMonitor;
import io.flywall.network.LinkObserver;
import io.flywall.network.LinkState;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class HealthWatchTest {

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
}
