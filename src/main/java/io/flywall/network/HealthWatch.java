package io.flywall.network;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the monitored links (on every link event, and twice per heartbeat interval, from the
 * kernel's view) and gateways (each on its own schedule: a probe may take its whole timeout) and
 * reports the combined verdict whenever it changes.
 */
public final class HealthWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthWatch.class);

  private final List<String> links;
  private final List<String> vipInterfaces;
  private final List<InetAddress> gateways;
  private final LinkObserver linkMonitor;
  private final GatewayMonitor gatewayMonitor;
  private final BiConsumer<Boolean, String> report;
  private final ScheduledExecutorService threads;
  private volatile List<LinkState> linkStates = List.of();
  private volatile List<LinkState> vipInterfaceStates = List.of();
  private volatile List<GatewayState> gatewayStates = List.of();
  private Boolean lastHealthy;
  private String lastCause = "";

  public HealthWatch(
      List<String> links,
      List<InetAddress> gateways,
      LinkObserver linkMonitor,
      GatewayMonitor gatewayMonitor,
      BiConsumer<Boolean, String> report,
      ScheduledExecutorService threads) {
    this(links, List.of(), gateways, linkMonitor, gatewayMonitor, report, threads);
  }

  /**
   * @param vipInterfaces the VIPs' interfaces: one that does not exist makes the node unhealthy
   */
  public HealthWatch(
      List<String> links,
      List<String> vipInterfaces,
      List<InetAddress> gateways,
      LinkObserver linkMonitor,
      GatewayMonitor gatewayMonitor,
      BiConsumer<Boolean, String> report,
      ScheduledExecutorService threads) {
    this.links = List.copyOf(links);
    this.vipInterfaces = vipInterfaces.stream().distinct().toList();
    this.gateways = List.copyOf(gateways);
    this.linkMonitor = linkMonitor;
    this.gatewayMonitor = gatewayMonitor;
    this.report = report;
    this.threads = threads;
  }

  public boolean watching() {
    return watchingLinks() || !gateways.isEmpty();
  }

  private boolean watchingLinks() {
    return !links.isEmpty() || !vipInterfaces.isEmpty();
  }

  /** Checks once synchronously (so the first verdict is known at start), then keeps watching. */
  public void start(Duration heartbeatInterval) {
    if (!watching()) {
      return;
    }
    checkLinks();
    checkGateways();
    if (watchingLinks()) {
      // Link events (native plane) judge at once; the periodic check below stays as a safety net.
      linkMonitor.onChange(() -> threads.execute(guard(this::checkLinks)));
    }
    long linkPeriod = Math.max(50, heartbeatInterval.toMillis() / 2);
    if (watchingLinks()) {
      threads.scheduleWithFixedDelay(
          guard(this::checkLinks), linkPeriod, linkPeriod, TimeUnit.MILLISECONDS);
    }
    if (!gateways.isEmpty()) {
      long gatewayPeriod = Math.max(500, heartbeatInterval.toMillis());
      threads.scheduleWithFixedDelay(
          guard(this::checkGateways), gatewayPeriod, gatewayPeriod, TimeUnit.MILLISECONDS);
    }
  }

  private Runnable guard(Runnable work) {
    return () -> {
      try {
        work.run();
      } catch (RuntimeException e) {
        log.error("health check failed", e);
      }
    };
  }

  private void checkLinks() {
    if (!links.isEmpty()) {
      linkStates = observeLinks(links);
    }
    if (!vipInterfaces.isEmpty()) {
      vipInterfaceStates = observeLinks(vipInterfaces);
    }
    if (watchingLinks()) {
      judge();
    }
  }

  /** A link whose state cannot be read counts as down: a blind node must not stay primary. */
  private List<LinkState> observeLinks(List<String> names) {
    try {
      return linkMonitor.observe(names);
    } catch (NetworkCommandException e) {
      return names.stream()
          .map(name -> LinkState.down(name, "unreadable: " + e.getMessage()))
          .toList();
    }
  }

  private void checkGateways() {
    if (!gateways.isEmpty()) {
      gatewayStates = gatewayMonitor.probeAll(gateways);
      judge();
    }
  }

  private synchronized void judge() {
    Health health = Health.judge(linkStates, vipInterfaceStates, gatewayStates);
    if (lastHealthy == null
        || lastHealthy != health.healthy()
        || !lastCause.equals(health.cause())) {
      lastHealthy = health.healthy();
      lastCause = health.cause();
      if (health.healthy()) {
        log.info("health: {}", health.cause());
      } else {
        log.warn("health: {}", health.cause());
      }
      report.accept(health.healthy(), health.cause());
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
