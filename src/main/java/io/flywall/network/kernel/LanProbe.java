package io.flywall.network.kernel;

import io.flywall.network.ArpPing;
import io.flywall.network.MacAddress;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.ProbeAnswer;
import io.flywall.network.ProbeLog;
import io.flywall.network.ProbeVerdict;
import io.flywall.network.Vip;
import io.flywall.network.kernel.LinkMessage.KernelLink;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * arp_ping on raw sockets: ARP probes (RFC 5227 form) for IPv4 VIPs and Neighbour Solicitations to
 * the solicited-node group for IPv6 VIPs, one request per VIP every {@code interval}, with every
 * answer from a MAC other than ours written to a {@link ProbeLog}.
 *
 * <p>Built to run <em>during</em> failure detection: a backup calls {@link #start} when the
 * primary's heartbeats first go missing (or keeps it running), and at the detection deadline asks
 * {@link #verdict(Vip, Instant)} with the instant the primary was last heard; only requests sent
 * after that instant count (DESIGN 10.2). An ANSWERED verdict refuses the claim; SILENT allows it;
 * UNDECIDED means ask again within one interval. {@link #probeAll} is the one-shot form for a
 * caller that probes after detection: it costs one {@code window}.
 *
 * <p>The sockets and threads of an interface are opened by {@link #prepare} (the node became a
 * backup) or else the first time one of its VIPs is probed, and kept until {@link #close}: {@link
 * #start} and {@link #stop} only switch the requests on and off, so a heartbeat a little late costs
 * one request, not a socket opened and closed (closing an AF_PACKET socket waits for an RCU grace
 * period). A socket whose receiver fails is closed and opened again by the next {@link #start} or
 * verdict; the requests it sent no longer count.
 */
public final class LanProbe implements ArpPing, AutoCloseable {
  private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(LanProbe.class);

  private final Rtnetlink rtnetlink;
  private final Clock clock;
  private final Duration interval;
  private final Duration window;
  private final ProbeLog log = new ProbeLog();
  private final UnaryOperator<Runnable> receiverLoop;
  // Packets a verdict reads from a socket's queue at most: a flood must not hold it up.
  private static final int QUEUED_LIMIT = 256;
  // Opened once per interface and kept: the receivers record answers whether requests go out or
  // not.
  private final Map<String, InterfaceProbe> interfaces = new LinkedHashMap<>();
  // The VIPs requests go out for now.
  private final Set<Vip> sending = new LinkedHashSet<>();
  private final Map<Vip, String> failures = new ConcurrentHashMap<>();
  private Thread sender;
  private boolean closed;
  // Started by start() and not stopped since: requests go on after a verdict.
  private boolean kept;
  // Verdicts waiting now: a stop() meanwhile must not pull their requests from under them.
  private int waiting;

  /**
   * @param interval time between two requests for one VIP
   * @param window how long requests must go unanswered before a VIP counts as free
   */
  public LanProbe(Rtnetlink rtnetlink, Clock clock, Duration interval, Duration window) {
    this(rtnetlink, clock, interval, window, UnaryOperator.identity());
  }

  /**
   * @param receiverLoop wraps each receiver thread's loop (tests hold the receivers back, as a busy
   *     machine does)
   */
  LanProbe(
      Rtnetlink rtnetlink,
      Clock clock,
      Duration interval,
      Duration window,
      UnaryOperator<Runnable> receiverLoop) {
    this.receiverLoop = receiverLoop;
    if (interval.isNegative() || interval.isZero() || window.compareTo(interval) < 0) {
      throw new IllegalArgumentException(
          "arp_ping needs 0 < interval <= window, got " + interval + " and " + window);
    }
    this.rtnetlink = rtnetlink;
    this.clock = clock;
    this.interval = interval;
    this.window = window;
  }

  public Duration window() {
    return window;
  }

  /**
   * Starts requests for {@code more} VIPs (those already probed go on unchanged) until {@link
   * #stop}. Opens the interface's sockets the first time (and after a socket failed); throws when
   * one cannot be opened or an interface is missing. VIPs started before stay probed.
   */
  @Override
  public synchronized void start(Collection<Vip> more) {
    kept = true;
    send(more);
  }

  /**
   * Opens the sockets, receivers and sender thread requests for {@code vips} need, sending nothing:
   * the first {@link #start} of a takeover then sends its first request at once instead of after an
   * AF_PACKET socket, a raw ICMPv6 socket and two threads were set up (9-30 ms measured in the
   * failover benchmark's first trial at 30 ms).
   */
  @Override
  public synchronized void prepare(Collection<Vip> vips) {
    if (closed) {
      throw new NetworkCommandException("arp_ping is closed: the node is stopping");
    }
    replaceChanged(vips);
    for (Vip vip : vips) {
      open(vip);
    }
    startSender();
  }

  /**
   * Drops the probe of each of {@code vips}' interfaces whose Ethernet address or index is no
   * longer the one its sockets were opened with (a bond with {@code fail_over_mac=active} takes its
   * new active port's address; an interface deleted and made again gets a new index); {@link #open}
   * then opens it afresh. Its requests carried the old address, and the holder's answers, sent
   * there, are dropped by the network card (IPv6 ones by this kernel too): a silence that would
   * allow a claim while another node holds the VIPs. Its requests no longer count. One link lookup
   * per interface at a start, a prepare or a verdict ({@link #probeSince}), not per request; a
   * failed lookup keeps the probe.
   */
  private void replaceChanged(Collection<Vip> vips) {
    Set<String> names = new LinkedHashSet<>();
    vips.forEach(vip -> names.add(vip.interfaceName()));
    for (String name : names) {
      InterfaceProbe probe = interfaces.get(name);
      if (probe == null || probe.failed()) {
        continue;
      }
      Optional<KernelLink> now;
      try {
        now = rtnetlink.link(name);
      } catch (NetworkCommandException e) {
        continue;
      }
      if (!probe.isOn(now)) {
        logger.info(
            "arp_ping on {}: {} since its sockets were opened; probing there afresh (requests sent"
                + " before no longer count)",
            name,
            probe.changeTo(now));
        probe.retire();
        interfaces.remove(name);
      }
    }
  }

  /** The interface's probe, listening for answers for {@code vip}; opened if need be. */
  private InterfaceProbe open(Vip vip) {
    InterfaceProbe probe = interfaces.get(vip.interfaceName());
    if (probe == null || probe.failed()) {
      // The first time, or a socket failed: fresh sockets (the interface is looked up again, it
      // may have been replaced), also for the VIPs already started there.
      probe = new InterfaceProbe(vip.interfaceName());
      interfaces.put(vip.interfaceName(), probe);
      for (Vip started : sending) {
        if (started.interfaceName().equals(vip.interfaceName())) {
          probe.listen(started);
        }
      }
    }
    probe.listen(vip);
    return probe;
  }

  private void startSender() {
    if (sender == null) {
      sender = new Thread(this::sendLoop, "arp-ping-send");
      sender.setDaemon(true);
      sender.start();
    }
  }

  private synchronized void send(Collection<Vip> more) {
    if (closed) {
      throw new NetworkCommandException("arp_ping is closed: the node is stopping");
    }
    replaceChanged(more);
    for (Vip vip : more) {
      InterfaceProbe probe = open(vip);
      if (sending.add(vip)) {
        // The first request leaves now, not when the sender thread next wakes: a verdict is due
        // one window after it.
        probe.sendRequest(vip);
      }
    }
    if (!sending.isEmpty()) {
      startSender();
    }
    notifyAll();
  }

  /**
   * The verdict on {@code vip} from requests sent at or after {@code since}. Before saying nobody
   * answered, it reads what is queued on the interface's sockets: on a busy machine, or after a
   * pause of the whole JVM, the receiver threads may not have run since an answer came, and the
   * primary whose heartbeats stopped for the same reason is exactly the node that still answers (a
   * 10-minute soak at load 12 saw "no other holder" while the primary held the VIPs).
   */
  public ProbeVerdict verdict(Vip vip, Instant since) {
    Instant now = clock.instant();
    ProbeVerdict verdict = log.verdict(vip, since, now, window);
    if (verdict.outcome() == ProbeVerdict.Outcome.SILENT) {
      InterfaceProbe probe;
      synchronized (this) {
        probe = interfaces.get(vip.interfaceName());
      }
      if (probe != null) {
        probe.readQueued();
      }
      verdict = log.verdict(vip, since, now, window);
    }
    return verdict;
  }

  /** Why requests for {@code vip} could not be sent, if they could not. */
  public Optional<String> failure(Vip vip) {
    return Optional.ofNullable(failures.get(vip));
  }

  /**
   * Stops every request (once no verdict waits on them) and forgets what was seen; the sockets stay
   * open for the next {@link #start}.
   */
  @Override
  public synchronized void stop() {
    kept = false;
    if (waiting == 0) {
      halt();
    }
  }

  private synchronized void halt() {
    // Requests sent before a stop must not make a later verdict silent: the probe did not run
    // through the window since.
    sending.forEach(log::forget);
    sending.clear();
    failures.clear();
  }

  /** Stops the requests, the threads, and closes the sockets (the daemon is stopping). */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      kept = false;
      halt();
      if (sender != null) {
        sender.interrupt();
        sender = null;
      }
      interfaces.values().forEach(InterfaceProbe::close);
      interfaces.clear();
      notifyAll();
    }
  }

  @Override
  public List<ProbeAnswer> probeAll(Collection<Vip> asked) {
    return probeSince(asked, clock.instant());
  }

  /**
   * The answers to requests sent at or after {@code since}: at once when requests have gone out for
   * a window since then, else as soon as the window has passed (or someone answers). VIPs not
   * probed yet are started, and stopped again afterwards unless {@link #start} asked for them to go
   * on.
   */
  @Override
  public List<ProbeAnswer> probeSince(Collection<Vip> asked, Instant since) {
    if (asked.isEmpty()) {
      return List.of();
    }
    Instant asking = clock.instant();
    synchronized (this) {
      waiting++;
    }
    try {
      send(asked);
      // Everything is decided one window after the first request (sent by now); the second of
      // slack is reached only when requests cannot go out at all.
      Instant deadline = asking.plus(window).plus(Duration.ofSeconds(1));
      List<ProbeVerdict> verdicts = verdicts(asked, since);
      while (!verdicts.stream().allMatch(ProbeVerdict::decided)
          && clock.instant().isBefore(deadline)) {
        LockSupport.parkNanos(pause(verdicts));
        verdicts = verdicts(asked, since);
      }
      List<ProbeAnswer> answers = new ArrayList<>();
      for (ProbeVerdict verdict : verdicts) {
        if (!verdict.decided()) {
          throw new NetworkCommandException(
              "arp_ping probe for "
                  + verdict.vip()
                  + " sent no request: "
                  + failure(verdict.vip()).orElse("the sender did not run in time"));
        }
        answers.add(
            new ProbeAnswer(
                verdict.vip(),
                verdict.answerers(),
                Duration.between(asking, clock.instant()),
                verdict.lastAnswerAt()));
      }
      return answers;
    } finally {
      synchronized (this) {
        waiting--;
        if (waiting == 0 && !kept) {
          halt();
        }
      }
    }
  }

  /**
   * How long to wait before looking again: until the first window ends (a takeover waits on it, so
   * waking on time is worth it), and at most a quarter interval (an answer may come any time).
   */
  private long pause(List<ProbeVerdict> verdicts) {
    long nanos = Math.min(interval.toNanos() / 4, 5_000_000L);
    for (ProbeVerdict verdict : verdicts) {
      if (!verdict.decided() && verdict.waited().compareTo(Duration.ZERO) > 0) {
        nanos = Math.min(nanos, window.minus(verdict.waited()).toNanos());
      }
    }
    return Math.max(nanos, 100_000L);
  }

  private List<ProbeVerdict> verdicts(Collection<Vip> asked, Instant since) {
    return asked.stream().map(v -> verdict(v, since)).toList();
  }

  /** Sends a request per started VIP every interval; sleeps while none is started. */
  private void sendLoop() {
    long next = System.nanoTime();
    while (!Thread.currentThread().isInterrupted()) {
      List<Vip> vips;
      Map<String, InterfaceProbe> probes;
      synchronized (this) {
        try {
          while (sending.isEmpty() && !closed) {
            wait();
            next = System.nanoTime() + interval.toNanos();
          }
        } catch (InterruptedException e) {
          return;
        }
        if (closed) {
          return;
        }
        vips = List.copyOf(sending);
        probes = Map.copyOf(interfaces);
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      for (Vip vip : vips) {
        InterfaceProbe probe = probes.get(vip.interfaceName());
        if (probe != null) {
          probe.sendRequest(vip);
        }
      }
      next += interval.toNanos();
      if (next - System.nanoTime() < 0) {
        next = System.nanoTime(); // late (a paused JVM): do not send a catch-up storm
      }
    }
  }

  /**
   * The sockets, own MAC and receiver threads of one interface, kept until {@link #close} or until
   * one of its sockets fails (then the next start or verdict replaces the whole of it).
   */
  private final class InterfaceProbe {
    private final String ifname;
    private final KernelLink link;
    private final MacAddress own;
    // Every VIP probed here: answers for them are recorded while requests are off too.
    private final List<Vip> v4 = new CopyOnWriteArrayList<>();
    private final List<Vip> v6 = new CopyOnWriteArrayList<>();
    // Guarded by this.
    private ArpSocket arp;
    private Icmpv6Socket icmp;
    // Set under this object's lock; each receiver then closes its own socket under it.
    private volatile boolean closed;
    // Closed because a fresh probe replaced it: not a failure of the VIPs' requests.
    private volatile boolean retired;
    private volatile String failure;

    InterfaceProbe(String ifname) {
      this.ifname = ifname;
      this.link =
          rtnetlink
              .link(ifname)
              .orElseThrow(
                  () ->
                      new NetworkCommandException(
                          "cannot probe on " + ifname + ": the interface does not exist"));
      this.own =
          link.mac()
              .orElseThrow(
                  () ->
                      new NetworkCommandException(
                          "cannot probe on " + ifname + ": it has no Ethernet address"));
    }

    boolean failed() {
      return failure != null;
    }

    /** What changed from the link these sockets were opened on to {@code now}, for the log. */
    String changeTo(Optional<KernelLink> now) {
      if (now.isEmpty()) {
        return "the interface is gone";
      }
      return now.get().index() != link.index()
          ? "the interface was made again (index " + link.index() + " -> " + now.get().index() + ")"
          : "its Ethernet address changed ("
              + own.value()
              + " -> "
              + now.get().mac().map(MacAddress::value).orElse("none")
              + ")";
    }

    /** Whether {@code now} is the link these sockets were opened on, with the same address. */
    boolean isOn(Optional<KernelLink> now) {
      return now.isPresent()
          && now.get().index() == link.index()
          && now.get().mac().equals(Optional.of(own));
    }

    /**
     * Replaced (the interface's address or index changed): the receivers close their sockets, and
     * the requests sent here no longer count, as when a receiver fails.
     */
    synchronized void retire() {
      retired = true;
      closed = true;
      for (Vip vip : concat(v4, v6)) {
        log.forget(vip);
      }
    }

    /** Records answers for {@code vip} from now on, opening the socket it needs the first time. */
    synchronized void listen(Vip vip) {
      if (vip.ipv6()) {
        if (icmp == null) {
          Icmpv6Socket socket =
              Icmpv6Socket.open(rtnetlink.libc(), rtnetlink.namespace(), link.index(), ifname);
          icmp = socket;
          receiver("arp-ping-ns-" + ifname, () -> receiveAdvertisements(socket));
        }
        if (!v6.contains(vip)) {
          v6.add(vip);
        }
      } else {
        if (arp == null) {
          ArpSocket socket =
              ArpSocket.open(rtnetlink.libc(), rtnetlink.namespace(), link.index(), ifname);
          arp = socket;
          receiver("arp-ping-arp-" + ifname, () -> receiveArp(socket));
        }
        if (!v4.contains(vip)) {
          v4.add(vip);
        }
      }
    }

    private void receiver(String name, Runnable loop) {
      Thread thread = new Thread(receiverLoop.apply(loop), name);
      thread.setDaemon(true);
      thread.start();
    }

    // Under this object's lock, as the receivers' closing is: a request never goes out on a
    // descriptor number the kernel has already handed to another socket.
    synchronized void sendRequest(Vip vip) {
      if (retired) {
        // The sender took its list before the replacement; the fresh probe sends the requests.
        return;
      }
      if (closed) {
        failures.put(
            vip, failure != null ? failure : "the probe on " + ifname + " is closed (stopping)");
        return;
      }
      // Logged before it leaves: an answer must never seem to precede its request.
      Instant at = clock.instant();
      try {
        if (vip.ipv6()) {
          Inet6Address target = (Inet6Address) vip.address();
          icmp.send(
              NeighborDiscovery.solicitation(target, own), NeighborDiscovery.solicitedNode(target));
        } else {
          arp.broadcast(ArpPacket.probe(own, (Inet4Address) vip.address()));
        }
        log.sent(vip, at);
        failures.remove(vip);
      } catch (NetworkCommandException e) {
        failures.put(vip, e.getMessage());
      }
    }

    /**
     * Records the answers already queued on this interface's sockets, on the caller's thread; under
     * this object's lock, so a socket is never read after its receiver closed it.
     */
    synchronized void readQueued() {
      if (closed) {
        return;
      }
      try {
        if (arp != null) {
          arp.queued(QUEUED_LIMIT).forEach(this::arp);
        }
        if (icmp != null) {
          byte[] own = new byte[1500];
          for (int read = 0; read < QUEUED_LIMIT; read++) {
            int length = icmp.receiveQueued(own);
            if (length < 0) {
              break;
            }
            NeighborDiscovery.decodeAdvertisement(own, length).ifPresent(this::advertisement);
          }
        }
      } catch (NetworkCommandException e) {
        fail(e.getMessage());
      }
    }

    private void receiveArp(ArpSocket socket) {
      try {
        while (!closed) {
          socket.receive(100).ifPresent(this::arp);
        }
      } catch (NetworkCommandException e) {
        fail(e.getMessage());
      }
      closeOwn(socket);
    }

    private void arp(ArpPacket packet) {
      if (packet.senderMac().equals(own)) {
        return;
      }
      // A reply to our probe, or another node's own gratuitous ARP: either says "I hold it".
      for (Vip vip : v4) {
        if (vip.address().equals(packet.senderIp())) {
          log.answered(vip, packet.senderMac(), clock.instant());
        }
      }
    }

    private void receiveAdvertisements(Icmpv6Socket socket) {
      try {
        while (!closed) {
          int length = socket.receive(100);
          if (length > 0) {
            NeighborDiscovery.decodeAdvertisement(socket.buffer(), length)
                .ifPresent(this::advertisement);
          }
        }
      } catch (NetworkCommandException e) {
        fail(e.getMessage());
      }
      closeOwn(socket);
    }

    private void advertisement(NeighborDiscovery.Advertisement na) {
      // Without a target link-layer option the answerer is real but unnamed.
      MacAddress mac = na.mac().orElse(ArpPacket.ZERO_MAC);
      if (mac.equals(own)) {
        return;
      }
      for (Vip vip : v6) {
        if (vip.address().equals(na.target())) {
          log.answered(vip, mac, clock.instant());
        }
      }
    }

    /**
     * A receiver failed: answers on this interface may go unheard, so the requests sent here no
     * longer count, and its other receiver stops too.
     */
    private synchronized void fail(String problem) {
      if (closed) {
        return;
      }
      failure =
          problem + " (arp_ping on " + ifname + ": the next start or verdict opens new sockets)";
      closed = true;
      for (Vip vip : concat(v4, v6)) {
        log.forget(vip);
        failures.put(vip, failure);
      }
    }

    // By the receiver's own thread: closing a socket elsewhere could hand its descriptor number to
    // another socket while a read is under way.
    private synchronized void closeOwn(AutoCloseable socket) {
      try {
        socket.close();
      } catch (Exception e) {
        // The descriptor is gone either way.
      }
    }

    synchronized void close() {
      // Each receiver closes its own socket when it sees this, within its 100 ms poll.
      closed = true;
    }
  }

  private static List<Vip> concat(List<Vip> a, List<Vip> b) {
    List<Vip> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
