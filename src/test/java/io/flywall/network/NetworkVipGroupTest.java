package io.flywall.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkVipGroupTest {
  private final ExecutorService sending = Executors.newCachedThreadPool();
  private final List<String> arpings = new CopyOnWriteArrayList<>();
  private final CountDownLatch lanBurstDone = new CountDownLatch(1);
  private final Set<Vip> kernel = new HashSet<>();

  @AfterEach
  void stop() {
    lanBurstDone.countDown();
    sending.shutdownNow();
  }

  /** arping for the LAN VIP takes as long as the test says (a burst of 3 takes 3 s for real). */
  private final CommandRunner commands =
      (argv, timeout) -> {
        String vip = argv.get(argv.size() - 1);
        arpings.add(vip);
        if (vip.equals("10.99.1.1")) {
          try {
            lanBurstDone.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return new CommandResult(argv, 0, "", "", false);
      };

  private final VipBackend backend =
      new VipBackend() {
        @Override
        public synchronized void add(Vip vip) {
          kernel.add(vip);
        }

        @Override
        public synchronized void remove(Vip vip) {
          kernel.remove(vip);
        }

        @Override
        public synchronized boolean held(Vip vip) {
          return kernel.contains(vip);
        }
      };

  private NetworkVipGroup group(List<Vip> vips) {
    return group(vips, sending);
  }

  /** The group of {@code vips}, its announcements sent on {@code sending}. */
  private NetworkVipGroup group(List<Vip> vips, ExecutorService sending) {
    return new NetworkVipGroup(
        vips,
        vips,
        List.of(),
        backend,
        new GratuitousAnnouncer(commands, Duration.ofSeconds(5)),
        new NeighborProbe(commands, Clock.systemUTC()),
        AnnouncementSchedule.standard(),
        sending,
        Clock.systemUTC(),
        new NetworkAlarms());
  }

  private static Vip vip(String address, String dev) throws Exception {
    return new Vip(InetAddress.getByName(address), 24, dev);
  }

  @Test
  void theWanVipIsAnnouncedWhileTheLanVipsBurstIsStillRunning() throws Exception {
    List<Vip> vips = List.of(vip("10.99.1.1", "lan0"), vip("10.99.2.1", "wan0"));
    NetworkVipGroup group = group(vips);

    group.claim();

    // Return traffic comes back through the WAN VIP: it must not wait for the LAN burst.
    await().atMost(Duration.ofSeconds(5)).until(() -> arpings.contains("10.99.2.1"));
    assertThat(lanBurstDone.getCount()).as("the LAN burst is still running").isOne();
    assertThat(group.state()).allMatch(VipGroup.VipState::held);
  }

  @Test
  void releaseRemovesEveryVipAndANonPrimaryNeverAnnounces() throws Exception {
    lanBurstDone.countDown();
    List<Vip> vips = List.of(vip("10.99.1.1", "lan0"), vip("10.99.2.1", "wan0"));
    NetworkVipGroup group = group(vips);
    group.claim();
    group.release();
    assertThat(kernel).isEmpty();
    assertThat(group.state()).noneMatch(VipGroup.VipState::held);
    // The claim's announcements run on the sending threads: let them end before counting (one of
    // them, still queued, was counted after the tick now and then). A tick that announced would be
    // refused by the stopped executor.
    sending.shutdown();
    assertThat(sending.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    int sent = arpings.size();
    group.tick(false);
    assertThat(arpings).hasSize(sent);
  }

  @Test
  void anAnnouncementStillQueuedWhenTheVipsAreReleasedIsNotSent() throws Exception {
    lanBurstDone.countDown();
    // One sending thread, held busy: the claim's announcements wait behind it, as on a loaded
    // machine or behind an arping burst.
    ExecutorService one = Executors.newSingleThreadExecutor();
    CountDownLatch busy = new CountDownLatch(1);
    one.execute(
        () -> {
          try {
            busy.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    List<Vip> vips = List.of(vip("10.99.1.1", "lan0"), vip("10.99.2.1", "wan0"));
    NetworkVipGroup group = group(vips, one);
    try {
      group.claim();
      group.release();
      busy.countDown();
      one.shutdown();
      assertThat(one.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      // Sent now, it would point the LAN at this node for VIPs another node holds by then.
      assertThat(arpings).isEmpty();
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void aVipWhoseInterfaceIsGoneRaisesAnAlarmThatNamesItAndAClaimThatWorksClearsIt()
      throws Exception {
    lanBurstDone.countDown();
    Vip onMissing = vip("10.99.1.1", "lan0");
    AtomicBoolean gone = new AtomicBoolean(true);
    VipBackend vanishing =
        new VipBackend() {
          @Override
          public void add(Vip vip) {
            if (gone.get()) {
              throw new MissingInterfaceException(vip);
            }
          }

          @Override
          public void remove(Vip vip) {}

          @Override
          public boolean held(Vip vip) {
            return !gone.get();
          }
        };
    NetworkAlarms alarms = new NetworkAlarms();
    NetworkVipGroup group =
        new NetworkVipGroup(
            List.of(onMissing),
            List.of(),
            List.of(),
            vanishing,
            new GratuitousAnnouncer(commands, Duration.ofSeconds(5)),
            new NeighborProbe(commands, Clock.systemUTC()),
            AnnouncementSchedule.standard(),
            sending,
            Clock.systemUTC(),
            alarms);

    assertThatThrownBy(group::claim).hasMessageContaining("interface lan0 does not exist");
    assertThat(group.alarms())
        .containsKey(NetworkAlarms.VIP_INTERFACE_MISSING)
        .hasEntrySatisfying(
            NetworkAlarms.VIP_INTERFACE_MISSING,
            detail -> assertThat(detail).contains("10.99.1.1/24 on lan0"));

    gone.set(false);
    group.claim();

    assertThat(group.alarms()).isEmpty();
  }

  @Test
  void releasingAVipThisProcessDidNotAddSaysItWasLeftBehind() throws Exception {
    lanBurstDone.countDown();
    List<Vip> vips = List.of(vip("10.99.1.1", "lan0"), vip("10.99.2.1", "wan0"));
    NetworkVipGroup group = group(vips);
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(NetworkVipGroup.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try {
      // A crashed run left the LAN VIP on its interface.
      kernel.add(vips.get(0));

      group.release();
      group.claim();
      group.release();

      assertThat(kernel).isEmpty();
      assertThat(logged.list)
          .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .containsExactly(
              "removing VIP 10.99.1.1/24 from lan0: this process did not add it (left by a"
                  + " previous run that crashed or was killed, or added by hand)");
    } finally {
      logger.detachAppender(logged);
    }
  }

  @Test
  void
      preparingATakeoverOpensTheProbeForTheProbedVipsAndTheAnnouncerForTheAnnouncedOnesEvenIfTheProbeFails()
          throws Exception {
    List<Vip> vips = List.of(vip("10.99.1.1", "lan0"), vip("10.99.2.1", "wan0"));
    List<String> prepared = new CopyOnWriteArrayList<>();
    Announcer announcer =
        new Announcer() {
          @Override
          public void announce(java.util.Collection<Vip> announced, int count) {
            throw new AssertionError("preparing must send nothing");
          }

          @Override
          public void prepare(java.util.Collection<Vip> announced) {
            prepared.add("announcer " + announced);
          }
        };
    ArpPing probe =
        new ArpPing() {
          @Override
          public List<ProbeAnswer> probeAll(java.util.Collection<Vip> probed) {
            throw new AssertionError("preparing must send nothing");
          }

          @Override
          public void prepare(java.util.Collection<Vip> probed) {
            prepared.add("probe " + probed);
            throw new NetworkCommandException("cannot open the ARP socket on lan0: EPERM");
          }
        };
    NetworkVipGroup group =
        new NetworkVipGroup(
            vips,
            vips,
            vips.subList(0, 1),
            backend,
            announcer,
            probe,
            AnnouncementSchedule.standard(),
            sending,
            Clock.systemUTC(),
            new NetworkAlarms());

    assertThatThrownBy(group::prepareTakeover).hasMessageContaining("EPERM");

    assertThat(prepared).containsExactly("probe " + vips.subList(0, 1), "announcer " + vips);
    assertThat(kernel).as("no VIP added").isEmpty();
  }
}
