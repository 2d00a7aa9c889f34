package io.flywall.network;

import static io.flywall.network.Samples.vip;
import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.network.Announcement.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AnnouncementScheduleTest {

  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private final Vip lan = vip("10.0.0.100/24", "eth1");
  private final Vip lan6 = vip("fd00::100/64", "eth1");
  private final AnnouncementSchedule schedule = AnnouncementSchedule.standard();

  @Test
  void
      section4_aClaimedVipIsAnnouncedInABurstOfThreeThenOnceAfterTwoSecondsThenEverySixtySeconds() {
    schedule.claimed(List.of(lan), T0);

    assertThat(schedule.due(T0)).containsExactly(new Announcement(lan, 3, Reason.CLAIM));
    assertThat(schedule.due(T0.plusMillis(1999))).isEmpty();
    assertThat(schedule.due(T0.plusSeconds(2)))
        .containsExactly(new Announcement(lan, 1, Reason.REPEAT));
    assertThat(schedule.due(T0.plusSeconds(61))).isEmpty();
    assertThat(schedule.due(T0.plusSeconds(62)))
        .containsExactly(new Announcement(lan, 1, Reason.REFRESH));
    assertThat(schedule.nextDue()).contains(T0.plusSeconds(122));
    assertThat(schedule.due(T0.plusSeconds(122)))
        .containsExactly(new Announcement(lan, 1, Reason.REFRESH));
  }

  @Test
  void nothingIsAnnouncedForAReleasedVip() {
    schedule.claimed(List.of(lan, lan6), T0);
    schedule.due(T0);

    schedule.released(List.of(lan));

    assertThat(schedule.due(T0.plusSeconds(2))).extracting(Announcement::vip).containsExactly(lan6);
    schedule.releasedAll();
    assertThat(schedule.due(T0.plusSeconds(3600))).isEmpty();
    assertThat(schedule.nextDue()).isEmpty();
  }

  @Test
  void aLateTickSendsOneAnnouncementAndCountsTheNextFromTheTick() {
    schedule.claimed(List.of(lan), T0);
    schedule.due(T0);
    schedule.due(T0.plusSeconds(2));

    assertThat(schedule.due(T0.plusSeconds(500))).hasSize(1);
    assertThat(schedule.nextDue()).contains(T0.plusSeconds(560));
  }

  @Test
  void claimingAgainRestartsTheBurst() {
    schedule.claimed(List.of(lan), T0);
    schedule.due(T0);

    schedule.claimed(List.of(lan), T0.plusSeconds(1));

    assertThat(schedule.due(T0.plusSeconds(1)))
        .containsExactly(new Announcement(lan, 3, Reason.CLAIM));
  }

  @Property(tries = 200)
  void refreshesNeverComeCloserThanTheRefreshPeriodWhateverTheTicks(@ForAll long seed) {
    // jqwik reports the failing seed; the ticks below derive from it alone.
    Random random = new Random(seed);
    AnnouncementSchedule subject = AnnouncementSchedule.standard();
    subject.claimed(List.of(lan, lan6), T0);
    Map<Vip, List<Instant>> refreshes = new HashMap<>();
    Map<Vip, Integer> claims = new HashMap<>();
    Instant now = T0;
    for (int tick = 0; tick < 300; tick++) {
      for (Announcement a : subject.due(now)) {
        if (a.reason() == Reason.REFRESH) {
          refreshes.computeIfAbsent(a.vip(), v -> new ArrayList<>()).add(now);
        }
        if (a.reason() == Reason.CLAIM) {
          claims.merge(a.vip(), 1, Integer::sum);
        }
      }
      now = now.plusMillis(1 + random.nextInt(5000));
    }
    assertThat(claims).containsEntry(lan, 1).containsEntry(lan6, 1);
    for (List<Instant> times : refreshes.values()) {
      for (int i = 1; i < times.size(); i++) {
        assertThat(Duration.between(times.get(i - 1), times.get(i)))
            .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
      }
    }
    assertThat(refreshes)
        .as("seed %d: 300 ticks of up to 5 s reach past the first refresh", seed)
        .isNotEmpty();
  }
}
