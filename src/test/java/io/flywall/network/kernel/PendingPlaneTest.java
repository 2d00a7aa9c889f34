package io.flywall.network.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.flywall.network.Announcer;
import io.flywall.network.ArpPing;
import io.flywall.network.LinkObserver;
import io.flywall.network.LinkState;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.ProbeAnswer;
import io.flywall.network.Vip;
import io.flywall.network.VipBackend;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PendingPlaneTest {

  /** The opened plane's pieces, recording what reaches them. */
  private static final class Recorded implements VipBackend, Announcer, ArpPing, LinkObserver {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void add(Vip vip) {
      calls.add("add");
    }

    @Override
    public void remove(Vip vip) {
      calls.add("remove");
    }

    @Override
    public boolean held(Vip vip) {
      return false;
    }

    @Override
    public void announce(Collection<Vip> vips, int count) {
      calls.add("announce " + count);
    }

    @Override
    public void prepare(Collection<Vip> vips) {
      calls.add("prepare " + vips.size());
    }

    @Override
    public List<ProbeAnswer> probeAll(Collection<Vip> vips) {
      return List.of();
    }

    @Override
    public List<LinkState> observe(Collection<String> names) {
      return List.of();
    }
  }

  @Test
  void preparingTheAnnouncerAndTheProbeReachesThePlaneOnceItIsOpen() throws Exception {
    Recorded opened = new Recorded();
    List<Vip> vips = List.of(new Vip(InetAddress.getByName("10.99.1.1"), 24, "lan0"));
    try (PendingPlane plane =
        PendingPlane.start(
            () ->
                new NetworkPlane(
                    opened, opened, opened, opened, new NetworkAlarms(), 4, List.of()))) {

      plane.announcer().prepare(vips);
      plane.arpPing().prepare(vips);
      plane.announcer().announce(vips, 3);

      assertThat(opened.calls).containsExactly("prepare 1", "prepare 1", "announce 3");
    }
  }
}
