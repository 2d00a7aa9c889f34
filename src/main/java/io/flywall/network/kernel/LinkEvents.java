package io.flywall.network.kernel;

import io.flywall.network.LinkObserver;
import io.flywall.network.LinkState;
import io.flywall.network.NetworkAlarms;
import io.flywall.network.NetworkCommandException;
import io.flywall.network.kernel.LinkMessage.KernelLink;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Link state from rtnetlink events: a socket subscribed to RTNLGRP_LINK receives every RTM_NEWLINK
 * / RTM_DELLINK as it happens, so a carrier loss is known within a millisecond, not at the next
 * poll. A full dump every {@code resync} is the safety net for a lost event (and is taken at once
 * when the kernel reports ENOBUFS). When the event socket breaks, the alarm {@code
 * link_events_failed} is raised, links that cannot be read count as down, and a new socket is tried
 * every {@code resync}.
 */
public final class LinkEvents implements LinkObserver, AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(LinkEvents.class);

  private final Rtnetlink rtnetlink;
  private final Duration resync;
  private final NetworkAlarms alarms;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Thread reader;
  private final Map<Integer, KernelLink> links = new HashMap<>();
  private String broken;
  private volatile boolean closed;

  private LinkEvents(Rtnetlink rtnetlink, Duration resync, NetworkAlarms alarms) {
    this.rtnetlink = rtnetlink;
    this.resync = resync;
    this.alarms = alarms;
    this.reader = new Thread(this::run, "link-events");
    this.reader.setDaemon(true);
  }

  /**
   * Subscribes and reads the current state before returning, so the first {@link #observe} is
   * already true; throws when the subscription cannot be opened.
   */
  public static LinkEvents start(Rtnetlink rtnetlink, Duration resync, NetworkAlarms alarms) {
    LinkEvents events = new LinkEvents(rtnetlink, resync, alarms);
    NetlinkSocket socket =
        NetlinkSocket.open(rtnetlink.libc(), rtnetlink.namespace(), NetlinkSocket.RTMGRP_LINK);
    try {
      events.replaceAll(rtnetlink.links());
    } catch (RuntimeException e) {
      socket.close();
      throw e;
    }
    events.socket = socket;
    events.reader.start();
    return events;
  }

  private NetlinkSocket socket;

  @Override
  public synchronized List<LinkState> observe(Collection<String> names) {
    return names.stream().map(this::state).toList();
  }

  private LinkState state(String name) {
    for (KernelLink link : links.values()) {
      if (link.name().equals(name)) {
        return link.state();
      }
    }
    return broken != null ? LinkState.down(name, "unreadable: " + broken) : LinkState.missing(name);
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void run() {
    long nextResync = System.nanoTime() + resync.toNanos();
    while (!closed) {
      try {
        if (socket == null) {
          socket =
              NetlinkSocket.open(
                  rtnetlink.libc(), rtnetlink.namespace(), NetlinkSocket.RTMGRP_LINK);
          resyncNow();
          repaired();
        }
        int wait = (int) Math.max(1, Math.min(100, (nextResync - System.nanoTime()) / 1_000_000));
        boolean changed = false;
        for (NetlinkMessage message : socket.receive(wait)) {
          changed |= apply(message);
        }
        if (changed) {
          notifyListeners();
        }
        if (System.nanoTime() - nextResync >= 0) {
          resyncNow();
          nextResync = System.nanoTime() + resync.toNanos();
        }
      } catch (KernelException e) {
        if (e.errno() == Libc.ENOBUFS && socket != null) {
          // The kernel dropped events while we were slow: the truth is one dump away.
          logger.warn("link events overran; reading every link again");
          try {
            resyncNow();
          } catch (NetworkCommandException again) {
            failed(again);
          }
          continue;
        }
        failed(e);
        nextResync = pauseAfterFailure(nextResync);
      } catch (NetworkCommandException e) {
        failed(e);
        nextResync = pauseAfterFailure(nextResync);
      }
    }
    if (socket != null) {
      socket.close();
    }
  }

  private long pauseAfterFailure(long nextResync) {
    long until = System.nanoTime() + resync.toNanos();
    while (!closed && System.nanoTime() - until < 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(
          Math.min(100_000_000L, until - System.nanoTime()));
    }
    return until;
  }

  private boolean apply(NetlinkMessage message) {
    if (message.type() != LinkMessage.RTM_NEWLINK && message.type() != LinkMessage.RTM_DELLINK) {
      return false;
    }
    var parsed = LinkMessage.parse(message.payload());
    if (parsed.isEmpty()) {
      return false;
    }
    KernelLink link = parsed.get();
    synchronized (this) {
      KernelLink before =
          message.type() == LinkMessage.RTM_DELLINK
              ? links.remove(link.index())
              : links.put(link.index(), link);
      return before == null
          || message.type() == LinkMessage.RTM_DELLINK
          || !before.state().equals(link.state())
          || !before.name().equals(link.name());
    }
  }

  private void resyncNow() {
    List<KernelLink> all = rtnetlink.links();
    boolean changed;
    synchronized (this) {
      Map<Integer, KernelLink> before = new HashMap<>(links);
      replaceAll(all);
      changed = !states(before).equals(states(links));
    }
    if (changed) {
      notifyListeners();
    }
  }

  private static Map<String, LinkState> states(Map<Integer, KernelLink> links) {
    Map<String, LinkState> states = new HashMap<>();
    links.values().forEach(l -> states.put(l.name(), l.state()));
    return states;
  }

  private synchronized void replaceAll(List<KernelLink> all) {
    links.clear();
    all.forEach(l -> links.put(l.index(), l));
  }

  private void failed(NetworkCommandException e) {
    if (socket != null) {
      socket.close();
      socket = null;
    }
    synchronized (this) {
      links.clear();
      broken = e.getMessage();
    }
    alarms.raise(
        NetworkAlarms.LINK_EVENTS_FAILED,
        "link events from rtnetlink stopped ("
            + e.getMessage()
            + "); monitored links count as down until a new subscription works");
    notifyListeners();
  }

  private void repaired() {
    boolean was;
    synchronized (this) {
      was = broken != null;
      broken = null;
    }
    if (was) {
      alarms.clear(NetworkAlarms.LINK_EVENTS_FAILED, "link events from rtnetlink work again");
    }
  }

  private void notifyListeners() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        logger.error("a link listener failed", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
