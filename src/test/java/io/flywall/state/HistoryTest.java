package io.flywall.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
  @TempDir Path dir;

  private static HistoryEvent event(String type, long epoch) {
    return new HistoryEvent(
        0,
        Instant.ofEpochMilli(1_700_000_000_000L + epoch),
        type,
        "backup",
        "primary",
        "node1",
        epoch,
        "peer node2 silent for 3s",
        12,
        List.of(
            new HistoryEvent.Step("persist_epoch", 2, true),
            new HistoryEvent.Step("add_vips", 10, false)));
  }

  @Test
  void eventsComeBackNewestFirstWithEveryFieldAndStep() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      History history = new History(db);
      HistoryEvent first = history.append(event("takeover", 1));
      HistoryEvent second = history.append(event("release", 2));

      List<HistoryEvent> newest = history.newest(10);

      assertThat(newest).containsExactly(second, first);
      assertThat(newest.get(0).steps())
          .extracting(HistoryEvent.Step::name)
          .containsExactly("persist_epoch", "add_vips");
      assertThat(newest.get(0).steps().get(1).ok()).isFalse();
      assertThat(second.id()).isGreaterThan(first.id());
    }
  }

  @Test
  void theLimitBoundsHowManyEventsComeBack() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      History history = new History(db);
      for (int i = 1; i <= 5; i++) {
        history.append(event("takeover", i));
      }
      assertThat(history.newest(2)).extracting(HistoryEvent::epoch).containsExactly(5L, 4L);
      assertThatThrownBy(() -> history.newest(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void historySurvivesReopeningTheDatabase() throws Exception {
    try (StateDatabase db = StateDatabase.open(dir)) {
      new History(db).append(event("takeover", 7));
    }
    try (StateDatabase db = StateDatabase.open(dir)) {
      assertThat(new History(db).newest(5)).extracting(HistoryEvent::epoch).containsExactly(7L);
    }
  }
}
