package io.flywall.state;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Section 6, split brain: the merge keeps per key the later write by HLC and drops nothing. */
class HlcMergeProperties {

  /**
   * One write of a split brain: which side wrote, which key, delete or put, and the clock step
   * before it.
   */
  record Write(boolean onA, int key, boolean delete, int advanceMillis) {}

  @Provide
  Arbitrary<Write> writes() {
    return Combinators.combine(
            Arbitraries.of(true, false),
            Arbitraries.integers().between(0, 5),
            Arbitraries.integers().between(0, 9).map(n -> n == 0),
            Arbitraries.integers().between(-3, 5))
        .as(Write::new);
  }

  @Property(tries = 40)
  void afterMergeEveryKeyHoldsTheLatestWriteOfEitherSide(
      @ForAll @Size(max = 40) List<@net.jqwik.api.From("writes") Write> writes) throws Exception {
    MutableClock clockA = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    MutableClock clockB = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    try (StoreFixture a = new StoreFixture("a", clockA, LogRetention.DEFAULT);
        StoreFixture b = new StoreFixture("b", clockB, LogRetention.DEFAULT)) {
      a.store.acceptWrites(2);
      b.store.acceptWrites(1);
      Map<String, Change> latest = new HashMap<>();
      List<Change> writtenOnB = new ArrayList<>();
      int n = 0;
      for (Write w : writes) {
        MutableClock clock = w.onA() ? clockA : clockB;
        clock.advance(Duration.ofMillis(w.advanceMillis()));
        StateStore side = w.onA() ? a.store : b.store;
        String key = "k" + w.key();
        Optional<Change> written =
            w.delete()
                ? side.delete("b", key)
                : Optional.of(side.put("b", key, ("v" + n++).getBytes(UTF_8), Optional.empty()));
        if (written.isPresent()) {
          latest.merge(key, written.get(), (x, y) -> later(y, x) ? y : x);
          if (!w.onA()) {
            writtenOnB.add(written.get());
          }
        }
      }
      MergeOutcome outcome = a.store.merge(writtenOnB);

      assertThat(
              outcome.applied()
                  + outcome.alreadyPresent()
                  + (outcome.conflicts() - conflictsAlsoApplied(a, outcome)))
          .isEqualTo(writtenOnB.size());
      for (Map.Entry<String, Change> e : latest.entrySet()) {
        Optional<Entry> merged = a.store.get("b", e.getKey());
        if (e.getValue().deleted()) {
          assertThat(merged).as(e.getKey()).isEmpty();
        } else {
          assertThat(merged).as(e.getKey()).isPresent();
          assertThat(merged.get().value()).isEqualTo(e.getValue().value());
        }
      }
    }
  }

  /** Conflicts where B's write won are counted both as applied and as conflicts. */
  private static int conflictsAlsoApplied(StoreFixture a, MergeOutcome outcome) throws Exception {
    return (int)
        a.store.conflicts(10_000).stream().filter(c -> c.winnerOrigin().equals("b")).count();
  }

  private static boolean later(Change x, Change y) {
    int byClock = x.hlc().compareTo(y.hlc());
    return byClock != 0 ? byClock > 0 : x.origin().compareTo(y.origin()) > 0;
  }

  @Property
  void theHybridClockNeverRepeatsOrGoesBackEvenWhenTheWallClockDoes(
      @ForAll @Size(min = 1, max = 200)
          List<@net.jqwik.api.constraints.IntRange(min = -1000, max = 1000) Integer> steps) {
    MutableClock wall = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    HybridClock clock = new HybridClock(wall);
    Hlc last = clock.now();
    for (int step : steps) {
      wall.advance(Duration.ofMillis(step));
      if (step % 7 == 0) {
        clock.observe(Hlc.of(last.physicalMillis() + 50, 3));
      }
      Hlc next = clock.now();
      assertThat(next).isGreaterThan(last);
      last = next;
    }
  }
}
