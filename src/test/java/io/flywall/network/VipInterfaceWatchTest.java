package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A held VIP whose interface vanished is alarmed; a VIP not held, or back, is not. */
class VipInterfaceWatchTest {
  private final NetworkAlarms alarms = new NetworkAlarms();
  private final Set<String> present = new HashSet<>(Set.of("eth1", "eth2"));
  private final List<VipGroup.VipState> vips = new ArrayList<>();
  private final LinkObserver links =
      new LinkObserver() {
        @Override
        public List<LinkState> observe(Collection<String> names) {
          return names.stream()
              .map(n -> present.contains(n) ? LinkState.up(n) : LinkState.down(n, "missing"))
              .toList();
        }
      };
  private final VipInterfaceWatch watch = new VipInterfaceWatch(() -> vips, links, alarms);

  @Test
  void aHeldVipWhoseInterfaceVanishedRaisesTheAlarmUntilTheInterfaceIsBack() {
    vips.add(new VipGroup.VipState("10.0.0.1/24", "eth1", true));
    vips.add(new VipGroup.VipState("10.0.1.1/24", "eth2", true));
    watch.check();
    assertThat(alarms.raised()).isEmpty();
    present.remove("eth2");
    watch.check();
    assertThat(alarms.raised())
        .containsOnlyKeys(NetworkAlarms.VIP_INTERFACE_MISSING)
        .hasValueSatisfying(
            new org.assertj.core.api.Condition<>(
                d -> d.contains("10.0.1.1/24 on eth2") && !d.contains("eth1"), "names eth2"));
    // Said as the health watch says the fault it causes (HealthWatchTest), not in other words.
    assertThat(alarms.raised().get(NetworkAlarms.VIP_INTERFACE_MISSING))
        .startsWith("interface eth2 missing (virtual_ip): held VIP 10.0.1.1/24 on eth2");
    present.add("eth2");
    watch.check();
    assertThat(alarms.raised()).isEmpty();
  }

  @Test
  void aVipNotHeldIsNoConcernAndAClaimsAlarmIsNotClearedByTheWatch() {
    vips.add(new VipGroup.VipState("10.0.0.1/24", "eth9", false));
    watch.check();
    assertThat(alarms.raised()).isEmpty();
    // A claim that failed for a missing interface raised it: the watch leaves it to the claim.
    alarms.raise(NetworkAlarms.VIP_INTERFACE_MISSING, "cannot add 10.0.0.1/24: no eth9");
    watch.check();
    assertThat(alarms.raised()).containsOnlyKeys(NetworkAlarms.VIP_INTERFACE_MISSING);
  }
}
